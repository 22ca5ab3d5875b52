namespace Promotion.Domain.Coupons;

/// <summary>What can happen to a coupon; <see cref="CouponLifecycle"/> says what each leads to.</summary>
public enum CouponTrigger
{
    /// <summary>The member takes the coupon.</summary>
    Claim,
    /// <summary>The member uses the coupon on an order.</summary>
    Redeem,
    /// <summary>The campaign's validTo passed.</summary>
    Expire,
}
