namespace Promotion.Engine.Campaigns;

/// <summary>Names one shard of one campaign.</summary>
public readonly record struct ShardRef(Guid CampaignId, int ShardNo);

/// <summary>A started shard: its range, where the last checkpoint left it, and the epoch it runs under.</summary>
/// <param name="CampaignId">Campaign.</param>
/// <param name="ShardNo">Shard number.</param>
/// <param name="Lo">First id of the range (inclusive).</param>
/// <param name="Hi">End of the range (exclusive).</param>
/// <param name="Cursor">Last id handled and checkpointed (Lo - 1 when none).</param>
/// <param name="Attempts">Times the shard has been started, this start included.</param>
/// <param name="Epoch">This start's epoch; every write of the shard names it.</param>
public sealed record ShardWork(Guid CampaignId, int ShardNo, long Lo, long Hi, long Cursor, int Attempts, long Epoch);

/// <summary>What a shard records after each page, atomically, while its epoch is current.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Epoch">The epoch the shard was started under.</param>
/// <param name="Cursor">Last id of the page.</param>
/// <param name="Sent">Members sent in this page.</param>
/// <param name="Failed">Members failed in this page.</param>
/// <param name="Skipped">Members skipped in this page.</param>
/// <param name="Failures">Per member and channel failures of this page.</param>
/// <param name="Reasons">Failures and skips of this page by reason.</param>
public sealed record ShardCheckpoint(
    ShardRef Shard,
    long Epoch,
    long Cursor,
    int Sent,
    int Failed,
    int Skipped,
    IReadOnlyList<SendFailure> Failures,
    IReadOnlyList<ReasonCount> Reasons);

/// <summary>A shard as the dashboard shows it; <c>Silo</c> is the silo working it, or for an ended shard the one that ended it.</summary>
public sealed record ShardInfo(int ShardNo, Domain.Campaigns.ShardStatus Status, long Lo, long Hi, long Cursor, long Sent, long Failed, long Skipped, string? Silo, int Attempts);
