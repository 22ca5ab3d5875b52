using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Promotion.Engine.Stats;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the dashboard's statistics: the collector, the rate sampler and the built-in sections.</summary>
public static class StatsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StatsCollector"/>, the <see cref="ThroughputSampler"/> (sampling in the
    /// background) and the sections <c>campaigns</c>, <c>shards</c>, <c>nodes</c>,
    /// <c>throughput</c>, <c>hotGoodsSchedules</c> (needs an <see cref="Promotion.Engine.HotGoods.IHotGoodsSchedules"/>) and, when an <see cref="IQueueDepths"/> adapter is registered, <c>queues</c>.
    /// Options from <c>Promotion:Stats</c> in <paramref name="promotion"/>. Needs an
    /// <see cref="ICampaignStatsReader"/> and an Orleans silo (the nodes come from its membership, their load from each silo).
    /// </summary>
    public static IServiceCollection AddPromotionStats(this IServiceCollection services, IConfiguration promotion)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        services.AddOptions<StatsOptions>().Bind(promotion.GetSection("Stats"))
            .Validate(o => o.SampleInterval >= TimeSpan.FromMilliseconds(100) && o.History >= o.SampleInterval * 2,
                "Promotion:Stats:SampleInterval must be at least 100 ms and Promotion:Stats:History at least two intervals")
            .Validate(o => o.MaxTrackedCampaigns is >= 1 and <= 10_000, "Promotion:Stats:MaxTrackedCampaigns must be between 1 and 10,000")
            .Validate(o => o.CacheFor >= TimeSpan.Zero && o.SectionTimeout > TimeSpan.Zero, "Promotion:Stats:CacheFor must not be negative and Promotion:Stats:SectionTimeout must be positive")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Promotion.Engine.Cluster.ClusterNodes>();
        services.TryAddSingleton<Promotion.Engine.Cluster.IClusterLoad, Promotion.Engine.Cluster.ClusterLoad>();
        services.AddSingleton<StatsCollector>();
        services.AddSingleton<ThroughputSampler>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ThroughputSampler>());
        services.AddStatsSection<CampaignsStatsSection>();
        services.AddStatsSection<ShardsStatsSection>();
        services.AddStatsSection<ThroughputStatsSection>();
        services.AddStatsSection<NodesStatsSection>();
        services.AddStatsSection<HotGoodsSchedulesStatsSection>();
        services.AddSingleton<IStatsSection>(sp => sp.GetService<IQueueDepths>() is { } depths ? new QueuesStatsSection(depths) : NoSection.Instance);
        return services;
    }

    /// <summary>
    /// Adds a section to <c>GET /api/stats</c>: <typeparamref name="TSection"/> is created once
    /// (singleton) and asked on every read; its result appears under its <see cref="IStatsSection.Name"/>.
    /// </summary>
    public static IServiceCollection AddStatsSection<TSection>(this IServiceCollection services)
        where TSection : class, IStatsSection
    {
        services.AddSingleton<IStatsSection, TSection>();
        return services;
    }

    // Stands in for a section whose adapter is absent on this host; returns nothing, so it is left out.
    private sealed class NoSection : IStatsSection
    {
        public static readonly NoSection Instance = new();

        public string Name => "queues";

        public Task<object?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult<object?>(null);
    }
}
