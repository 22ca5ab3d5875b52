using Promotion.Domain.Coupons;

namespace Promotion.Engine.Coupons;

/// <summary>A coupon campaign as stored, with how many coupons were written so far.</summary>
/// <param name="Id">Coupon campaign id.</param>
/// <param name="Name">Operator's name for it.</param>
/// <param name="Segment">Segment a member must be in at login, or null for every member.</param>
/// <param name="ValidFrom">Start of the window (inclusive).</param>
/// <param name="ValidTo">End of the window (exclusive); coupons expire then.</param>
/// <param name="Stock">Most coupons issued in total, or null for unlimited.</param>
/// <param name="Coupon">What the coupon gives.</param>
/// <param name="Issued">Coupons written to the store (Redis may be a moment ahead).</param>
/// <param name="CreatedAt">When accepted.</param>
/// <param name="StoppedAt">When an operator stopped it, or null.</param>
public sealed record CouponCampaign(
    Guid Id,
    string Name,
    string? Segment,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidTo,
    long? Stock,
    CouponBenefit Coupon,
    long Issued,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StoppedAt)
{
    /// <summary>Coupons still to give, or null for unlimited stock.</summary>
    public long? StockLeft => Stock is { } s ? Math.Max(0, s - Issued) : null;

    /// <summary>What the ledger needs to decide logins for this campaign.</summary>
    public CouponCampaignRule Rule => new(Id, ValidFrom, ValidTo, Segment, Stock is not null);

    /// <summary>The status at <paramref name="now"/>.</summary>
    public CouponCampaignStatus StatusAt(DateTimeOffset now) => CouponCampaignStatuses.At(ValidFrom, ValidTo, StockLeft, StoppedAt is not null, now);
}

/// <summary>What a coupon gives: money or percent off, perhaps above a minimum spend.</summary>
/// <param name="Title">Shown to the member.</param>
/// <param name="Amount">Money off, or null when percent off.</param>
/// <param name="Percent">Percent off, or null when money off.</param>
/// <param name="MinSpend">Order value needed, or null.</param>
public sealed record CouponBenefit(string Title, decimal? Amount, int? Percent, decimal? MinSpend);

/// <summary>What a store needs to create a coupon campaign.</summary>
public sealed record NewCouponCampaign(
    string Name,
    string? Segment,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidTo,
    long? Stock,
    CouponBenefit Coupon);

/// <summary>A page of coupon campaigns, newest first.</summary>
public sealed record CouponCampaignPage(IReadOnlyList<CouponCampaign> Items, long Total, int Page, int PageSize);

/// <summary>
/// A coupon campaign as the ledger decides with it: window, segment, and whether stock is
/// counted (the counter itself lives in the ledger).
/// </summary>
public sealed record CouponCampaignRule(Guid Id, DateTimeOffset ValidFrom, DateTimeOffset ValidTo, string? Segment, bool LimitedStock);
