using System.Collections.Concurrent;
using Promotion.Engine.Nodes;

namespace Promotion.Infrastructure.InMemory;

/// <summary>Heartbeats in process memory (embedded profile): same alive-until-timeout rule as Redis.</summary>
public sealed class InMemoryNodeRegistry : INodeRegistry
{
    private readonly ConcurrentDictionary<string, (NodeHeartbeat Beat, DateTimeOffset Until)> _nodes = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task BeatAsync(NodeHeartbeat heartbeat, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        _nodes[heartbeat.NodeId] = (heartbeat, heartbeat.At + timeout);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<NodeHeartbeat>> ListAliveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<NodeHeartbeat>>([.. _nodes.Values.Where(n => n.Until > now).Select(n => n.Beat)]);

    /// <inheritdoc />
    public Task LeaveAsync(string nodeId, CancellationToken cancellationToken)
    {
        _nodes.TryRemove(nodeId, out _);
        return Task.CompletedTask;
    }
}
