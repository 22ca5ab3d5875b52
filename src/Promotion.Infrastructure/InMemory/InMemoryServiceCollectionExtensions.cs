using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;
using Promotion.Infrastructure.InMemory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-process stores of the embedded profile.</summary>
public static class InMemoryServiceCollectionExtensions
{
    /// <summary>Registers the in-memory member directory, campaign and shard store, goods catalog, hot-goods schedules and frequency cap.</summary>
    public static IServiceCollection AddPromotionInMemoryStores(this IServiceCollection services)
    {
        services.AddSingleton<InMemoryMemberDirectory>();
        services.AddSingleton<IMemberDirectory>(sp => sp.GetRequiredService<InMemoryMemberDirectory>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InMemoryCampaignStore>();
        services.AddSingleton<ICampaignStore>(sp => sp.GetRequiredService<InMemoryCampaignStore>());
        services.AddSingleton<IShardStore>(sp => sp.GetRequiredService<InMemoryCampaignStore>());
        services.AddSingleton<InMemoryGoodsCatalog>();
        services.AddSingleton<Promotion.Engine.HotGoods.IGoodsCatalog>(sp => sp.GetRequiredService<InMemoryGoodsCatalog>());
        services.AddSingleton<Promotion.Engine.HotGoods.IHotGoodsSchedules, InMemoryHotGoodsSchedules>();
        services.AddSingleton<Promotion.Engine.HotGoods.IFrequencyCap, InMemoryFrequencyCap>();
        services.AddSingleton<Promotion.Engine.Stats.ICampaignStatsReader>(sp => sp.GetRequiredService<InMemoryCampaignStore>());
        services.AddSingleton<InMemoryCouponStore>();
        services.AddSingleton<Promotion.Engine.Coupons.ICouponStore>(sp => sp.GetRequiredService<InMemoryCouponStore>());
        services.AddSingleton<InMemoryCouponLedger>();
        services.AddSingleton<Promotion.Engine.Coupons.ICouponLedger>(sp => sp.GetRequiredService<InMemoryCouponLedger>());
        services.AddHealthChecks().AddCheck("stores", () => HealthCheckResult.Healthy("in-process stores (embedded profile)"), tags: ["ready"]);
        return services;
    }
}
