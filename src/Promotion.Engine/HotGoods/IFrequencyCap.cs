namespace Promotion.Engine.HotGoods;

/// <summary>
/// Port: the per-member frequency cap of hot-goods pushes (Redis in the distributed profile). A
/// member's cap is held by one campaign for one period; while it is held, other campaigns skip the
/// member.
/// </summary>
public interface IFrequencyCap
{
    /// <summary>
    /// Atomically takes <paramref name="memberId"/>'s cap for <paramref name="campaignId"/> until
    /// <paramref name="period"/> after <paramref name="now"/>. True when it was free or is already
    /// held by this campaign (a resumed shard re-sends instead of skipping); false when another
    /// campaign holds it.
    /// </summary>
    ValueTask<bool> TryTakeAsync(long memberId, Guid campaignId, TimeSpan period, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Gives <paramref name="memberId"/>'s cap back when <paramref name="campaignId"/> holds it (its
    /// push did not reach the member, so it must not keep the member from the next one); a cap held
    /// by another campaign is left alone.
    /// </summary>
    ValueTask ReleaseAsync(long memberId, Guid campaignId, CancellationToken cancellationToken);
}
