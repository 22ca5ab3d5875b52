namespace Promotion.Domain.Coupons;

/// <summary>Why a login does or does not earn a coupon campaign's coupon (stock and earlier issues aside).</summary>
public enum CouponEligibilityOutcome
{
    /// <summary>The login falls in the window and the member is in the audience.</summary>
    Eligible,
    /// <summary>The login is before validFrom or not before validTo, or the campaign ended before the login was handled.</summary>
    OutsideWindow,
    /// <summary>The campaign targets a segment the member is not in.</summary>
    NotInSegment,
}

/// <summary>
/// The eligibility rule of lazy coupons, decided per login. The Redis Lua script applies the same
/// rule (and the ledger contract tests hold both to it); this is its reference form.
/// </summary>
public static class CouponEligibility
{
    /// <summary>
    /// Whether a login at <paramref name="at"/>, handled at <paramref name="now"/>, by a member in
    /// <paramref name="memberSegments"/> is eligible for a campaign with window
    /// [<paramref name="validFrom"/>, <paramref name="validTo"/>) limited to <paramref name="segment"/>
    /// (null for every member). The login's own time decides the window, so an event that arrives
    /// late still counts if it happened in time; but once the campaign has ended nothing is issued,
    /// because the coupon would be born expired.
    /// </summary>
    public static CouponEligibilityOutcome Check(
        DateTimeOffset validFrom, DateTimeOffset validTo, string? segment, IReadOnlyCollection<string> memberSegments, DateTimeOffset at, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(memberSegments);
        if (at < validFrom || at >= validTo || now >= validTo)
        {
            return CouponEligibilityOutcome.OutsideWindow;
        }

        return segment is null || memberSegments.Contains(segment, StringComparer.Ordinal)
            ? CouponEligibilityOutcome.Eligible
            : CouponEligibilityOutcome.NotInSegment;
    }
}
