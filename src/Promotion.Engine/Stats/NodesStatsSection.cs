using Promotion.Engine.Cluster;

namespace Promotion.Engine.Stats;

/// <summary>
/// <c>nodes</c>: every silo of the cluster from Orleans membership (status, roles, started at), with the
/// load it reports when asked (in-flight sends, the shards it works, up to <see cref="SiloLoad.ListedShards"/> of
/// them by campaign and number) and its send rate.
/// </summary>
internal sealed class NodesStatsSection(ClusterNodes cluster, IClusterLoad load, ThroughputSampler sampler) : IStatsSection
{
    public string Name => "nodes";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var nodes = await cluster.ListAsync();
        var loads = (await load.ReadAsync(cancellationToken)).ToDictionary(b => b.SiloName, StringComparer.Ordinal);
        var rates = sampler.NodeSendRates();
        return new
        {
            alive = nodes.Count(n => n.IsActive),
            workers = nodes.Count(n => n.IsActive && n.Has(SiloRoles.Worker)),
            items = nodes.Select(n =>
            {
                var beat = loads.GetValueOrDefault(n.Name);
                return new
                {
                    nodeId = n.Name,
                    n.Address,
                    n.Status,
                    n.Roles,
                    n.StartedAt,
                    n.LastAliveAt,
                    inFlightSends = beat?.InFlightSends ?? 0,
                    shardsWorking = beat?.ShardsWorking ?? 0,
                    shards = beat?.Shards.Select(s => new { s.CampaignId, s.ShardNo }) ?? [],
                    sendsPerSecond = rates.GetValueOrDefault(n.Name),
                    campaigns = beat?.SendAttempts.Count ?? 0,
                };
            }),
        };
    }
}
