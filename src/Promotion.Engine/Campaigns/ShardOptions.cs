namespace Promotion.Engine.Campaigns;

/// <summary>How shard grains page, checkpoint and share a silo; bound from <c>Promotion:Shards</c>.</summary>
public sealed class ShardOptions
{
    /// <summary>Members read, sent and checkpointed together; also the most a crash can make re-send per shard.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// How long a failing checkpoint (the database restarting) is retried before the shard starts over
    /// from its last checkpoint: a page sent but not checkpointed is sent again then.
    /// </summary>
    public TimeSpan CheckpointRetryFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pages one worker silo sends at once (each shard takes a slot per page).</summary>
    public int ConcurrentShards { get; set; } = 4;

    /// <summary>A shard started more often than this is failed (its data keeps failing it).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// How much longer a normal-priority page waits for a slot than a high one that arrived at the same
    /// time (see <see cref="PriorityGate"/>).
    /// </summary>
    public TimeSpan NormalHandicap { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much longer a low-priority page waits than a high one that arrived at the same time.</summary>
    public TimeSpan LowHandicap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How stale a silo's view of a campaign's status may be between the campaign's wake-ups.</summary>
    public TimeSpan StatusRefresh { get; set; } = TimeSpan.FromMilliseconds(250);
}
