namespace Promotion.Domain.Coupons;

/// <summary>Where a coupon is in its life. Changes only through <see cref="CouponLifecycle"/>.</summary>
public enum CouponStatus
{
    /// <summary>Given to the member on a login; not yet taken into the member's wallet.</summary>
    Issued,
    /// <summary>The member took it; it can be redeemed on an order until the campaign's validTo.</summary>
    Claimed,
    /// <summary>Used on an order; final.</summary>
    Redeemed,
    /// <summary>The campaign's validTo passed before it was redeemed; final.</summary>
    Expired,
}
