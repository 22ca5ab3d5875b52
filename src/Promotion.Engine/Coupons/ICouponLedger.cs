namespace Promotion.Engine.Coupons;

/// <summary>
/// Port: the coupon ledger that decides logins (Redis in the distributed profile): the active
/// coupon campaigns mirrored from the store, per campaign the members it issued to, each marked
/// pending (decided, maybe not yet in the store) or written, and the stock left. A decision and
/// its record are one atomic step, so duplicate and concurrent logins can never both win.
/// When the ledger has lost its data (flushed, restarted empty) it says so instead of deciding,
/// and must be restored from the store first (see <see cref="CouponLedgerRestorer"/>).
/// </summary>
public interface ICouponLedger
{
    /// <summary>
    /// Decides every login against every coupon campaign in the ledger, in order, each login as one
    /// atomic step, and records the coupons issued as pending. An entry is null when the ledger
    /// was found empty (not restored) at that login: nothing was decided for it.
    /// </summary>
    Task<IReadOnlyList<LoginDecision?>> DecideAsync(IReadOnlyList<LoginCheck> logins, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks coupons as written to the store, so later logins of these members need no write.</summary>
    Task MarkWrittenAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken);

    /// <summary>
    /// Takes back pending coupons the store refused because the campaign's stock is used up there,
    /// and sets those campaigns' stock left to zero.
    /// </summary>
    Task RevokeAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken);

    /// <summary>Mirrors a campaign: its rule always, its stock counter only when the ledger has none yet.</summary>
    Task PutCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken);

    /// <summary>Stops deciding for a campaign (stopped or ended); what it issued stays recorded for a while.</summary>
    Task RemoveCampaignAsync(Guid couponCampaignId, CancellationToken cancellationToken);

    /// <summary>The campaigns the ledger decides for.</summary>
    Task<IReadOnlyList<Guid>> ListCampaignIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts a restore under a lock held by <paramref name="owner"/> for at most <paramref name="lease"/>;
    /// says instead whether the ledger is restored already or another restore is running.
    /// </summary>
    Task<RestoreStart> TryBeginRestoreAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Restore: records <paramref name="members"/> as holding a written coupon of the campaign.</summary>
    Task RestoreMembersAsync(Guid couponCampaignId, IReadOnlyCollection<long> members, CancellationToken cancellationToken);

    /// <summary>Restore: sets a campaign's rule and its stock left (overwriting any counter).</summary>
    Task RestoreCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken);

    /// <summary>
    /// Ends <paramref name="owner"/>'s restore: when <paramref name="completed"/>, marks the ledger
    /// restored so deciding resumes; either way releases the lock.
    /// </summary>
    Task EndRestoreAsync(string owner, bool completed, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ICouponLedger.TryBeginRestoreAsync"/> found.</summary>
public enum RestoreStart
{
    /// <summary>The caller holds the lock and must restore, then end the restore.</summary>
    Began,
    /// <summary>The ledger holds its data; nothing to do.</summary>
    AlreadyRestored,
    /// <summary>Another host is restoring; wait and ask again.</summary>
    Busy,
}

/// <summary>One login to decide: the member, when the login happened, and the member's segments.</summary>
public sealed record LoginCheck(long MemberId, DateTimeOffset At, IReadOnlyList<string> Segments);

/// <summary>What the ledger decided for one login, per coupon campaign in the ledger.</summary>
public sealed record LoginDecision(long MemberId, IReadOnlyList<CampaignDecision> Campaigns);

/// <summary>The decision for one coupon campaign.</summary>
public readonly record struct CampaignDecision(Guid CouponCampaignId, CouponDecisionOutcome Outcome);

/// <summary>The outcome of deciding one login for one coupon campaign.</summary>
public enum CouponDecisionOutcome
{
    /// <summary>Issued now (and the stock counted down): write it.</summary>
    Issued,
    /// <summary>Issued by an earlier login whose write may not have happened: write it (again) to be sure.</summary>
    IssuedPending,
    /// <summary>Issued earlier and written: nothing to do.</summary>
    AlreadyIssued,
    /// <summary>Eligible, but the stock is used up.</summary>
    SoldOut,
    /// <summary>The login is outside the window (or the campaign has ended).</summary>
    OutsideWindow,
    /// <summary>The member is not in the campaign's segment.</summary>
    NotInSegment,
}
