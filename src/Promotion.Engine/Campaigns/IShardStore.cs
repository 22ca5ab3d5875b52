using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Port: shard leases and checkpoints. A lease has an owner and an expiry; only the owner may
/// checkpoint, renew, release or finish it, and an expired lease may be taken by anyone.
/// </summary>
public interface IShardStore
{
    /// <summary>
    /// Leases the shard to <paramref name="owner"/> until <paramref name="until"/> when it is
    /// Pending, or Running under a lease expired at <paramref name="now"/>; null otherwise.
    /// </summary>
    Task<ShardWork?> TryLeaseAsync(ShardRef shard, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when <paramref name="owner"/> no longer holds it.</summary>
    Task<bool> RenewAsync(ShardRef shard, string owner, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Records a page atomically: shard cursor and counts, campaign counts, failures and reason
    /// counts, lease renewal. False (and nothing written) when the lease was lost.
    /// </summary>
    Task<bool> CheckpointAsync(ShardCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Gives the lease back (pause, graceful stop): the shard is Pending again at its checkpoint.</summary>
    Task ReleaseAsync(ShardRef shard, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the shard with <paramref name="trigger"/> (Finish, Fail or Cancel). When it was the
    /// campaign's last open shard of a Running campaign, completes the campaign (Completed, or
    /// Failed when a shard failed), with final counts. Returns the campaign status afterwards.
    /// </summary>
    Task<CampaignStatus> EndAsync(ShardRef shard, string owner, ShardTrigger trigger, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Completes the campaign when it is Running and none of its shards is open (e.g. its last
    /// shard ended while it was paused); returns its status afterwards.
    /// </summary>
    Task<CampaignStatus> CompleteIfEndedAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Cancels every shard of the campaign that is not leased and not ended.</summary>
    Task<int> CancelPendingAsync(Guid campaignId, CancellationToken cancellationToken);

    /// <summary>Pending shards of the campaign (to dispatch after planning or on resume); marks them dispatched at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<ShardRef>> TakePendingAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Shards of Running campaigns that need a new message, not dispatched since
    /// <paramref name="staleBefore"/>: leases expired at <paramref name="now"/> (their worker died),
    /// Pending and never dispatched or released by their worker (no message can be in flight), or
    /// Pending while no live lease works the campaign (their message was lost; while some shard is
    /// live, dispatched pending ones are taken to be queued behind it, so a long campaign's backlog
    /// is not re-sent). Claims them (dispatch time = now) so that of several sweeping nodes only one
    /// re-dispatches each.
    /// </summary>
    Task<IReadOnlyList<ShardRef>> ClaimStrandedAsync(DateTimeOffset now, DateTimeOffset staleBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Campaigns Pending or Planning since before <paramref name="staleBefore"/> (their plan message
    /// was lost or the planner died); a follow-up only once the campaign it waits for has ended.
    /// </summary>
    Task<IReadOnlyList<Guid>> ClaimStalledPlansAsync(DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken);

    /// <summary>A window of the campaign's shards in shard order (dashboard grid).</summary>
    Task<IReadOnlyList<ShardInfo>> ListAsync(Guid campaignId, int fromShardNo, int limit, CancellationToken cancellationToken);
}
