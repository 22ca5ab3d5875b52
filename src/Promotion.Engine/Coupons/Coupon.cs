using Promotion.Domain.Coupons;

namespace Promotion.Engine.Coupons;

/// <summary>A coupon a member holds.</summary>
/// <param name="Id">Coupon id (derived from campaign and member, see <see cref="CouponId"/>).</param>
/// <param name="CouponCampaignId">The coupon campaign it came from.</param>
/// <param name="MemberId">The member holding it.</param>
/// <param name="StoredStatus">Status as stored; read <see cref="StatusAt"/> for what it is now.</param>
/// <param name="IssuedAt">When issued.</param>
/// <param name="ClaimedAt">When claimed, or null.</param>
/// <param name="RedeemedAt">When redeemed, or null.</param>
/// <param name="OrderId">The order it was redeemed with, or null.</param>
/// <param name="Title">The coupon's title.</param>
/// <param name="ValidTo">When it expires unless redeemed.</param>
public sealed record Coupon(
    Guid Id,
    Guid CouponCampaignId,
    long MemberId,
    CouponStatus StoredStatus,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ClaimedAt,
    DateTimeOffset? RedeemedAt,
    string? OrderId,
    string Title,
    DateTimeOffset ValidTo)
{
    /// <summary>The status at <paramref name="now"/> (Expired once validTo passed unless redeemed).</summary>
    public CouponStatus StatusAt(DateTimeOffset now) => CouponLifecycle.Effective(StoredStatus, ValidTo, now);
}

/// <summary>One member's coupon of one coupon campaign, as the ledger and the writer name it.</summary>
public readonly record struct CouponKey(Guid CouponCampaignId, long MemberId);

/// <summary>A coupon the ledger issued, to be written to the store.</summary>
public sealed record IssuedCoupon(Guid Id, Guid CouponCampaignId, long MemberId, DateTimeOffset IssuedAt)
{
    /// <summary>The coupon's key.</summary>
    public CouponKey Key => new(CouponCampaignId, MemberId);

    /// <summary>The coupon <paramref name="memberId"/> gets from <paramref name="couponCampaignId"/>, issued at <paramref name="at"/>.</summary>
    public static IssuedCoupon For(Guid couponCampaignId, long memberId, DateTimeOffset at) =>
        new(CouponId.For(couponCampaignId, memberId), couponCampaignId, memberId, at);
}

/// <summary>What writing issued coupons did with each.</summary>
/// <param name="Inserted">Written now.</param>
/// <param name="Existing">Already there (an earlier delivery wrote it): the member holds it.</param>
/// <param name="Refused">
/// Not written because the campaign's stock in the store is used up (or the campaign is unknown):
/// the ledger over-issued after losing decisions, and must take these back.
/// </param>
public sealed record CouponWriteResult(IReadOnlyList<CouponKey> Inserted, IReadOnlyList<CouponKey> Existing, IReadOnlyList<CouponKey> Refused)
{
    /// <summary>Nothing written.</summary>
    public static CouponWriteResult Empty { get; } = new([], [], []);
}
