using Microsoft.Extensions.Options;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Stats;

/// <summary><c>nodes</c>: every live host with its roles, heartbeat age, in-flight sends, shards held and send rate.</summary>
internal sealed class NodesStatsSection(INodeRegistry registry, ThroughputSampler sampler, IOptions<HeartbeatOptions> heartbeat, TimeProvider time) : IStatsSection
{
    public string Name => "nodes";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var alive = await registry.ListAliveAsync(now, cancellationToken);
        var rates = sampler.NodeSendRates();
        return new
        {
            alive = alive.Count,
            workers = alive.Count(n => n.IsWorker),
            heartbeatTimeoutSeconds = heartbeat.Value.Timeout.TotalSeconds,
            items = alive.OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n => new
            {
                n.NodeId,
                n.Roles,
                lastHeartbeat = n.At,
                heartbeatAgeSeconds = Math.Round(Math.Max(0, (now - n.At).TotalSeconds), 1),
                n.InFlightSends,
                n.ShardsHeld,
                sendsPerSecond = rates.GetValueOrDefault(n.NodeId),
                campaigns = n.SendAttempts?.Count ?? 0,
            }),
        };
    }
}
