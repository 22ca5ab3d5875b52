using Promotion.Domain.Drafts;

namespace Promotion.Domain.Coupons;

/// <summary>A coupon campaign as an operator asks for it, before it is accepted.</summary>
/// <param name="Name">Shown on the dashboard.</param>
/// <param name="Segment">Null for every member, else the segment a member must be in at login.</param>
/// <param name="ValidFrom">Start of the window (inclusive): logins before it issue nothing.</param>
/// <param name="ValidTo">End of the window (exclusive): logins from it on issue nothing and coupons expire.</param>
/// <param name="Stock">Most coupons issued in total, or null for unlimited.</param>
/// <param name="Title">The coupon's title.</param>
/// <param name="Amount">Money off; exactly one of amount and percent.</param>
/// <param name="Percent">Percent off (1-100); exactly one of amount and percent.</param>
/// <param name="MinSpend">Order value the coupon needs, or null for none.</param>
public sealed record CouponCampaignDraft(
    string? Name,
    string? Segment,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    long? Stock,
    string? Title,
    decimal? Amount,
    int? Percent,
    decimal? MinSpend)
{
    /// <summary>Longest accepted name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest accepted coupon title.</summary>
    public const int MaxTitleLength = 200;

    /// <summary>Largest accepted stock.</summary>
    public const long MaxStock = 1_000_000_000;

    /// <summary>Largest accepted amount or minimum spend.</summary>
    public const decimal MaxMoney = 1_000_000m;

    /// <summary>
    /// The problems with this draft at <paramref name="now"/> as (field path, message) pairs,
    /// camelCase as in the API; empty when valid. Whether the segment exists is checked by the caller.
    /// </summary>
    public IReadOnlyList<(string Field, string Message)> Validate(DateTimeOffset now)
    {
        var errors = new List<(string, string)>();
        DraftChecks.RequiredText(errors, "name", Name, MaxNameLength);
        DraftChecks.OptionalSegment(errors, Segment);

        if (ValidFrom is null)
        {
            errors.Add(("validFrom", "validFrom is required (an ISO 8601 time with an offset)"));
        }

        if (ValidTo is null)
        {
            errors.Add(("validTo", "validTo is required (an ISO 8601 time with an offset)"));
        }
        else if (ValidFrom is { } from && ValidTo <= from)
        {
            errors.Add(("validTo", "validTo must be after validFrom"));
        }
        else if (ValidTo <= now)
        {
            errors.Add(("validTo", "validTo must be in the future; a campaign that has ended would issue nothing"));
        }

        if (Stock is { } stock && stock is < 1 or > MaxStock)
        {
            errors.Add(("stock", $"stock must be between 1 and {MaxStock:N0}, or omitted for unlimited stock"));
        }

        ValidateCoupon(errors);
        return errors;
    }

    private void ValidateCoupon(List<(string, string)> errors)
    {
        DraftChecks.RequiredText(errors, "coupon.title", Title, MaxTitleLength);

        if (Amount is null && Percent is null)
        {
            errors.Add(("coupon", "give coupon.amount (money off) or coupon.percent (percent off)"));
        }
        else if (Amount is not null && Percent is not null)
        {
            errors.Add(("coupon", "give either coupon.amount or coupon.percent, not both"));
        }

        if (Amount is { } amount && (amount <= 0 || amount > MaxMoney || decimal.Round(amount, 2) != amount))
        {
            errors.Add(("coupon.amount", $"coupon.amount must be above 0 and at most {MaxMoney:N0}, with at most two decimals"));
        }

        if (Percent is { } percent && percent is < 1 or > 100)
        {
            errors.Add(("coupon.percent", "coupon.percent must be a whole number between 1 and 100"));
        }

        if (MinSpend is { } min && (min < 0 || min > MaxMoney || decimal.Round(min, 2) != min))
        {
            errors.Add(("coupon.minSpend", $"coupon.minSpend must be between 0 and {MaxMoney:N0}, with at most two decimals"));
        }
    }
}
