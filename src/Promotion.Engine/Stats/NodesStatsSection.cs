using Promotion.Engine.Cluster;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Stats;

/// <summary>
/// <c>nodes</c>: every silo of the cluster from Orleans membership (status, roles, started at), with the
/// load its host last reported (in-flight sends, shards held) and its send rate.
/// </summary>
internal sealed class NodesStatsSection(ClusterNodes cluster, INodeRegistry registry, ThroughputSampler sampler, TimeProvider time) : IStatsSection
{
    public string Name => "nodes";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var nodes = await cluster.ListAsync();
        var load = (await registry.ListAliveAsync(time.GetUtcNow(), cancellationToken)).ToDictionary(b => b.NodeId, StringComparer.Ordinal);
        var rates = sampler.NodeSendRates();
        return new
        {
            alive = nodes.Count(n => n.IsActive),
            workers = nodes.Count(n => n.IsActive && n.Has(SiloRoles.Worker)),
            items = nodes.Select(n =>
            {
                var beat = load.GetValueOrDefault(n.Name);
                return new
                {
                    nodeId = n.Name,
                    n.Address,
                    n.Status,
                    n.Roles,
                    n.StartedAt,
                    n.LastAliveAt,
                    inFlightSends = beat?.InFlightSends ?? 0,
                    shardsHeld = beat?.ShardsHeld ?? 0,
                    sendsPerSecond = rates.GetValueOrDefault(n.Name),
                    campaigns = beat?.SendAttempts?.Count ?? 0,
                };
            }),
        };
    }
}
