using Microsoft.Extensions.Configuration;
using Promotion.Engine.HotGoods;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers scheduled hot-goods pushes on the sharded-job runtime.</summary>
public static class HotGoodsServiceCollectionExtensions
{
    /// <summary>
    /// Registers hot goods with options bound from <c>Promotion:HotGoods</c> of
    /// <paramref name="promotion"/>: the schedule commands for the API (they call the schedules'
    /// grains), the hot-goods job kind (its shards run on <paramref name="worker"/> hosts through the
    /// shared runtime), and on <paramref name="scheduler"/> hosts what the schedule grains use: the
    /// firing, and the keeper that wakes schedules when a silo dies. Needs an Orleans silo, adapters
    /// for IGoodsCatalog, IFrequencyCap and IHotGoodsSchedules, and AddPromotionCampaigns.
    /// </summary>
    public static IServiceCollection AddPromotionHotGoods(this IServiceCollection services, IConfiguration promotion, bool worker, bool scheduler)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        services.AddOptions<HotGoodsOptions>().Bind(promotion.GetSection("HotGoods"))
            .Validate(o => o.CapPeriod > TimeSpan.Zero, "Promotion:HotGoods:CapPeriod must be positive")
            .Validate(o => o.WindowDays is >= 1 and <= 366, "Promotion:HotGoods:WindowDays must be between 1 and 366")
            .Validate(o => o.MaxSendsPerSecond is null or (>= 1 and <= 1_000_000), "Promotion:HotGoods:MaxSendsPerSecond must be between 1 and 1,000,000, or unset")
            .Validate(o => o.MisfireThreshold >= TimeSpan.FromSeconds(1) && o.MisfireThreshold <= TimeSpan.FromDays(1),
                "Promotion:HotGoods:MisfireThreshold must be between 00:00:01 and 1.00:00:00")
            .ValidateOnStart();
        services.AddSingleton<HotGoodsScheduleCommands>();
        // The kind is known on every host: planners and shard workers find it by campaign kind.
        services.AddShardedJob<HotGoodsJob>();
        if (scheduler)
        {
            // ScheduleGrain itself is placed on scheduler silos by its [SiloRole].
            services.AddSingleton<HotGoodsFiring>();
            services.AddHostedService<ScheduleKeeper>();
        }

        _ = worker; // nothing worker-only: the runtime that AddPromotionCampaigns registers runs the shards
        return services;
    }
}
