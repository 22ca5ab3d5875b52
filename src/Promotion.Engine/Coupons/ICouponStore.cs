using Promotion.Domain.Campaigns;
using Promotion.Domain.Coupons;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Port: coupon campaigns and issued coupons, the durable truth (PostgreSQL in the distributed
/// profile). A coupon is unique per (coupon campaign, member) and a campaign's coupons never
/// exceed its stock, whatever the ledger decided: this is the backstop behind Redis.
/// </summary>
public interface ICouponStore
{
    /// <summary>Stores a new coupon campaign.</summary>
    Task<CouponCampaign> CreateCampaignAsync(NewCouponCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The coupon campaign, or null.</summary>
    Task<CouponCampaign?> GetCampaignAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A page of coupon campaigns, newest first.</summary>
    Task<CouponCampaignPage> ListCampaignsAsync(int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>Stops the campaign (no more coupons are issued; a second stop changes nothing).</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    Task<CouponCampaign> StopCampaignAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Campaigns that may still issue: not stopped and not ended at <paramref name="now"/> (scheduled ones included).</summary>
    Task<IReadOnlyList<CouponCampaign>> ListLiveCampaignsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The members holding a coupon of the campaign, streamed (a restore reads millions).</summary>
    IAsyncEnumerable<long> ReadIssuedMembersAsync(Guid couponCampaignId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes issued coupons in one transaction: a coupon already there is left as it is, and no
    /// campaign gets more coupons than its stock (those over it are refused, in input order).
    /// </summary>
    Task<CouponWriteResult> WriteIssuedAsync(IReadOnlyList<IssuedCoupon> coupons, CancellationToken cancellationToken);

    /// <summary>The member's coupons, newest first.</summary>
    Task<IReadOnlyList<Coupon>> ListMemberCouponsAsync(long memberId, CancellationToken cancellationToken);

    /// <summary>The coupon, or null.</summary>
    Task<Coupon?> GetCouponAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="trigger"/> through <see cref="CouponLifecycle"/> as compare-and-set on
    /// the stored status; a repeated claim or redeem returns the coupon unchanged.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such coupon.</exception>
    /// <exception cref="IllegalTransitionException">The lifecycle refuses the change.</exception>
    Task<Coupon> TransitionCouponAsync(Guid id, CouponTrigger trigger, string? orderId, DateTimeOffset now, CancellationToken cancellationToken);
}
