namespace Promotion.Engine.Nodes;

/// <summary>Heartbeat settings, bound from <c>Promotion:Heartbeat</c>.</summary>
public sealed class HeartbeatOptions
{
    /// <summary>Time between heartbeats.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A host whose last heartbeat is older than this is taken as dead.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
