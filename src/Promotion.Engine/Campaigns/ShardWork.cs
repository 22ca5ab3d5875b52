namespace Promotion.Engine.Campaigns;

/// <summary>Names one shard of one campaign.</summary>
public readonly record struct ShardRef(Guid CampaignId, int ShardNo);

/// <summary>A leased shard: its range, where the last checkpoint left it, and its counts so far.</summary>
/// <param name="CampaignId">Campaign.</param>
/// <param name="ShardNo">Shard number.</param>
/// <param name="Lo">First id of the range (inclusive).</param>
/// <param name="Hi">End of the range (exclusive).</param>
/// <param name="Cursor">Last id handled and checkpointed (Lo - 1 when none).</param>
/// <param name="Attempts">Times the shard has been leased, this lease included.</param>
public sealed record ShardWork(Guid CampaignId, int ShardNo, long Lo, long Hi, long Cursor, int Attempts);

/// <summary>What a worker records after each page, atomically, while it still holds the lease.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Owner">Node id holding the lease.</param>
/// <param name="Cursor">Last id of the page.</param>
/// <param name="Sent">Members sent in this page.</param>
/// <param name="Failed">Members failed in this page.</param>
/// <param name="Skipped">Members skipped in this page.</param>
/// <param name="Failures">Per member and channel failures of this page.</param>
/// <param name="Reasons">Failures and skips of this page by reason.</param>
/// <param name="LeaseUntil">The lease is renewed to this time.</param>
public sealed record ShardCheckpoint(
    ShardRef Shard,
    string Owner,
    long Cursor,
    int Sent,
    int Failed,
    int Skipped,
    IReadOnlyList<SendFailure> Failures,
    IReadOnlyList<ReasonCount> Reasons,
    DateTimeOffset LeaseUntil);

/// <summary>A shard as the dashboard shows it; <c>LeaseOwner</c> is the holder, or for an ended shard the worker that ended it.</summary>
public sealed record ShardInfo(int ShardNo, Domain.Campaigns.ShardStatus Status, long Lo, long Hi, long Cursor, long Sent, long Failed, long Skipped, string? LeaseOwner, int Attempts);
