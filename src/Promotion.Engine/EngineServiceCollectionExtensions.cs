using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Cluster;
using Promotion.Engine.Delivery;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Jobs;
using Promotion.Engine.Nodes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the engine's runtime; adapters for its ports are registered by the host.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine for a host with <paramref name="identity"/>: the clock and the
    /// instruments. Options are bound from <paramref name="promotion"/> (the <c>Promotion</c>
    /// configuration section) by the other AddPromotion extensions.
    /// </summary>
    public static IServiceCollection AddPromotionEngine(this IServiceCollection services, IConfiguration promotion, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(identity);
        services.AddSingleton<PromotionInstruments>();
        services.AddSingleton<ActiveWorkers>();
        return services;
    }

    /// <summary>
    /// Registers push campaigns on the sharded-job runtime: commands for the API, the push and
    /// retry-failed job kinds, and what the campaign, shard, push and send-limit grains use on a
    /// silo (status cache, priority gate, page sender, fan-out, send limits, and the keeper that tells
    /// running campaigns when a silo dies). The grains themselves
    /// run only on worker silos (see <see cref="SiloRoleAttribute"/>). Needs adapters for
    /// ICampaignStore, IShardStore, IMemberDirectory and, on <paramref name="worker"/> hosts, ISender.
    /// </summary>
    public static IServiceCollection AddPromotionCampaigns(this IServiceCollection services, IConfiguration promotion, bool worker)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        services.AddOptions<ShardOptions>().Bind(promotion.GetSection("Shards"))
            .Validate(o => o.PageSize is >= 1 and <= 10_000, "Promotion:Shards:PageSize must be between 1 and 10,000")
            .Validate(o => o.ConcurrentShards is >= 1 and <= 256, "Promotion:Shards:ConcurrentShards must be between 1 and 256")
            .Validate(o => o.MaxAttempts >= 1, "Promotion:Shards:MaxAttempts must be at least 1")
            .Validate(o => o.CheckpointRetryFor >= TimeSpan.FromSeconds(1) && o.CheckpointRetryFor <= TimeSpan.FromHours(1),
                "Promotion:Shards:CheckpointRetryFor must be between 1 second and 1 hour")
            .Validate(o => o.NormalHandicap >= TimeSpan.Zero && o.LowHandicap >= o.NormalHandicap, "Promotion:Shards:LowHandicap must be at least NormalHandicap, both not negative")
            .ValidateOnStart();
        services.AddOptions<FanOutOptions>().Bind(promotion.GetSection("FanOut"))
            .Validate(o => o.InFlightWindow is >= 1 and <= 100_000, "Promotion:FanOut:InFlightWindow must be between 1 and 100,000")
            .Validate(o => o.MaxAttempts is >= 1 and <= 20, "Promotion:FanOut:MaxAttempts must be between 1 and 20")
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero && o.RetryMaxDelay >= o.RetryBaseDelay, "Promotion:FanOut:RetryBaseDelay must be positive and not above RetryMaxDelay")
            .ValidateOnStart();

        services.AddSingleton<CampaignCommands>();
        services.AddSingleton<ShardedJobs>();
        services.AddShardedJob<PushJob>();
        services.AddShardedJob<RetryFailedJob>();
        if (worker)
        {
            services.AddSingleton<CampaignStatusCache>();
            services.AddSingleton<PriorityGate>();
            services.AddSingleton<ShardPages>();
            services.AddSingleton<ShardActivity>();
            services.AddSingleton<SendLimits>();
            services.AddSingleton<PushFanOut>();
            services.AddHostedService<CampaignKeeper>();
        }

        return services;
    }

    /// <summary>Registers a kind of sharded job; the runtime finds it by its <see cref="IShardedJob.Kind"/>.</summary>
    public static IServiceCollection AddShardedJob<TJob>(this IServiceCollection services)
        where TJob : class, IShardedJob
    {
        services.AddSingleton<IShardedJob, TJob>();
        return services;
    }
}
