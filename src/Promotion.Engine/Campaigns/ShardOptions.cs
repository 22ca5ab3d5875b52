namespace Promotion.Engine.Campaigns;

/// <summary>How shard workers lease, page and sweep; bound from <c>Promotion:Shards</c>.</summary>
public sealed class ShardOptions
{
    /// <summary>A lease not renewed for this long may be taken by another worker.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Members read, sent and checkpointed together; also the most a crash can make re-send.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// How long a failing checkpoint (the database restarting) is retried before the shard is given
    /// back: a page sent but not checkpointed is sent again by whoever resumes the shard.
    /// </summary>
    public TimeSpan CheckpointRetryFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Shards one host works at once.</summary>
    public int ConcurrentShards { get; set; } = 4;

    /// <summary>How often each worker host looks for stranded shards and stalled plans.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A pending shard (or a pending plan) not dispatched for this long is dispatched again.</summary>
    public TimeSpan RedispatchAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A shard leased more often than this is failed (its data keeps killing workers).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// How much longer a normal-priority shard waits than a high one that arrived at the same time
    /// (see <see cref="PriorityGate"/>).
    /// </summary>
    public TimeSpan NormalHandicap { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much longer a low-priority shard waits than a high one that arrived at the same time.</summary>
    public TimeSpan LowHandicap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How stale a worker's view of a campaign's status may be (pause reacts within this plus one page).</summary>
    public TimeSpan StatusRefresh { get; set; } = TimeSpan.FromMilliseconds(250);
}
