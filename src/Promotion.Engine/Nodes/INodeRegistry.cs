namespace Promotion.Engine.Nodes;

/// <summary>Port: where hosts record heartbeats and learn which hosts are alive (Redis in the distributed profile).</summary>
public interface INodeRegistry
{
    /// <summary>Records <paramref name="heartbeat"/>; it counts as alive until <paramref name="timeout"/> after its time.</summary>
    Task BeatAsync(NodeHeartbeat heartbeat, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Hosts whose last heartbeat is younger than their timeout at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<NodeHeartbeat>> ListAliveAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the host at once (graceful stop), so others need not wait for its timeout.</summary>
    Task LeaveAsync(string nodeId, CancellationToken cancellationToken);
}
