using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Port: shard rows and their checkpoints. A shard is worked by its shard grain; every start bumps
/// the shard's <em>epoch</em>, and checkpoints, releases and ends carry the epoch they started
/// under, so a stale activation (a second one Orleans briefly ran, or one on a silo declared dead)
/// can neither count a page twice nor move the cursor back: its writes change nothing.
/// </summary>
public interface IShardStore
{
    /// <summary>
    /// Starts an open (Pending or Running) shard on <paramref name="silo"/> under a new epoch, taking it
    /// over from whichever activation had it; null when the shard has ended or does not exist.
    /// </summary>
    Task<ShardWork?> StartAsync(ShardRef shard, string silo, CancellationToken cancellationToken);

    /// <summary>
    /// Records a page atomically: the shard's cursor and counts, the page's failures and reason
    /// counts. Only under the shard's current epoch and only forward (a cursor beyond the stored one);
    /// false, with nothing written, otherwise.
    /// </summary>
    Task<bool> CheckpointAsync(ShardCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Gives the shard back at its checkpoint (pause, graceful stop): Pending again, still started; only under <paramref name="epoch"/>.</summary>
    Task ReleaseAsync(ShardRef shard, long epoch, CancellationToken cancellationToken);

    /// <summary>Ends the shard with <paramref name="trigger"/> (Finish, Fail or Cancel) under <paramref name="epoch"/>; false when it was not this epoch's to end.</summary>
    Task<bool> EndAsync(ShardRef shard, long epoch, ShardTrigger trigger, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> Pending shards the campaign has not started yet, in shard
    /// order, marked started at <paramref name="now"/>.
    /// </summary>
    Task<IReadOnlyList<int>> TakeUnstartedAsync(Guid campaignId, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Shards started and not ended (working, waiting for a slot, paused or lost with their silo), in shard order.</summary>
    Task<IReadOnlyList<int>> ListStartedAsync(Guid campaignId, CancellationToken cancellationToken);

    /// <summary>Cancels every Pending shard of the campaign (started or not); Running ones end themselves.</summary>
    Task<int> CancelPendingAsync(Guid campaignId, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the campaign's sent, failed and skipped to the sums of its shards (the campaign grain's
    /// aggregation of progress) and, when the campaign is Running and none of its shards is open,
    /// completes it: Completed, or Failed when a shard failed, with audienceSize the members read.
    /// Returns the campaign status afterwards.
    /// </summary>
    Task<CampaignStatus> AggregateAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A window of the campaign's shards in shard order (dashboard grid).</summary>
    Task<IReadOnlyList<ShardInfo>> ListAsync(Guid campaignId, int fromShardNo, int limit, CancellationToken cancellationToken);
}
