using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Host.Endpoints;

/// <summary>Body of <c>POST /api/coupon-campaigns</c>.</summary>
public sealed record CreateCouponCampaignRequest(
    string? Name,
    AudienceRequest? Audience,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    long? Stock,
    CouponRequest? Coupon)
{
    /// <summary>The draft the engine validates.</summary>
    public CouponCampaignDraft ToDraft() =>
        new(Name, Audience?.Segment, ValidFrom, ValidTo, Stock, Coupon?.Title, Coupon?.Amount, Coupon?.Percent, Coupon?.MinSpend);
}

/// <summary>What a coupon gives: exactly one of amount (money off) and percent (1-100), perhaps above a minimum spend.</summary>
public sealed record CouponRequest(string? Title, decimal? Amount, int? Percent, decimal? MinSpend);

/// <summary>Body of <c>POST /api/coupons/{id}/redeem</c>.</summary>
public sealed record RedeemCouponRequest(string? OrderId);

/// <summary>A coupon campaign as the API shows it; issued counts coupons written to PostgreSQL.</summary>
public sealed record CouponCampaignResponse(
    Guid Id,
    string Name,
    CouponCampaignStatus Status,
    AudienceRequest Audience,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidTo,
    long? Stock,
    long Issued,
    long? StockLeft,
    CouponRequest Coupon,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StoppedAt)
{
    /// <summary>Maps the engine's coupon campaign as it is at <paramref name="now"/>.</summary>
    public static CouponCampaignResponse From(CouponCampaign c, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Name, c.StatusAt(now), new AudienceRequest(c.Segment), c.ValidFrom, c.ValidTo, c.Stock, c.Issued, c.StockLeft,
            new CouponRequest(c.Coupon.Title, c.Coupon.Amount, c.Coupon.Percent, c.Coupon.MinSpend), c.CreatedAt, c.StoppedAt);
    }
}

/// <summary>A page of coupon campaigns.</summary>
public sealed record CouponCampaignListResponse(IReadOnlyList<CouponCampaignResponse> Items, long Total, int Page, int PageSize);

/// <summary>A member's coupon as the API shows it, with its status now (Expired after validTo unless redeemed).</summary>
public sealed record CouponResponse(
    Guid Id,
    Guid CouponCampaignId,
    long MemberId,
    CouponStatus Status,
    string Title,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ClaimedAt,
    DateTimeOffset? RedeemedAt,
    string? OrderId,
    DateTimeOffset ValidTo)
{
    /// <summary>Maps the engine's coupon as it is at <paramref name="now"/>.</summary>
    public static CouponResponse From(Coupon c, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.CouponCampaignId, c.MemberId, c.StatusAt(now), c.Title, c.IssuedAt, c.ClaimedAt, c.RedeemedAt, c.OrderId, c.ValidTo);
    }
}

/// <summary>A member's coupons, newest first.</summary>
public sealed record MemberCouponsResponse(IReadOnlyList<CouponResponse> Items);

/// <summary>
/// One item of the body of <c>POST /api/events/login</c> (a JSON array of up to 1,000): memberId a
/// positive integer (a JSON number or a string of digits), at an ISO 8601 time with an offset.
/// Describes the body in the OpenAPI document; the endpoint parses it item by item itself.
/// </summary>
public sealed record LoginEventRequest(long MemberId, DateTimeOffset At);

/// <summary>What <c>POST /api/events/login</c> answers (202) once the broker has the batch.</summary>
public sealed record LoginEventsAcceptedResponse(int Accepted);
