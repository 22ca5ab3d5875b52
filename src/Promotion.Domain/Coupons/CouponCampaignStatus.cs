namespace Promotion.Domain.Coupons;

/// <summary>What a coupon campaign is doing, derived from its window, stock and stop time (see <see cref="CouponCampaignStatuses"/>).</summary>
public enum CouponCampaignStatus
{
    /// <summary>validFrom is still ahead; logins issue nothing yet.</summary>
    Scheduled,
    /// <summary>Inside its window with stock left: logins issue coupons.</summary>
    Active,
    /// <summary>Inside its window, every coupon of its stock issued.</summary>
    SoldOut,
    /// <summary>validTo has passed; its coupons are expired unless redeemed.</summary>
    Ended,
    /// <summary>Stopped by an operator; issued coupons stay valid until validTo.</summary>
    Stopped,
}

/// <summary>Derives a coupon campaign's status; nothing stores it, so it can never be stale.</summary>
public static class CouponCampaignStatuses
{
    /// <summary>The status at <paramref name="now"/>.</summary>
    public static CouponCampaignStatus At(DateTimeOffset validFrom, DateTimeOffset validTo, long? stockLeft, bool stopped, DateTimeOffset now) =>
        stopped ? CouponCampaignStatus.Stopped
        : now >= validTo ? CouponCampaignStatus.Ended
        : now < validFrom ? CouponCampaignStatus.Scheduled
        : stockLeft is <= 0 ? CouponCampaignStatus.SoldOut
        : CouponCampaignStatus.Active;
}
