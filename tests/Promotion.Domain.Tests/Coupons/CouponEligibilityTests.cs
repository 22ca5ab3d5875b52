using Promotion.Domain.Coupons;

namespace Promotion.Domain.Tests.Coupons;

public sealed class CouponEligibilityTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Inside = From.AddDays(3);

    [Fact]
    public void A_login_inside_the_window_is_eligible_for_an_everyone_campaign()
    {
        Assert.Equal(CouponEligibilityOutcome.Eligible, CouponEligibility.Check(From, To, null, [], Inside, Inside));
        Assert.Equal(CouponEligibilityOutcome.Eligible, CouponEligibility.Check(From, To, null, [], From, Inside));
    }

    [Fact]
    public void The_window_is_half_open_and_decided_by_the_login_time()
    {
        Assert.Equal(CouponEligibilityOutcome.OutsideWindow, CouponEligibility.Check(From, To, null, [], From.AddTicks(-1), Inside));
        Assert.Equal(CouponEligibilityOutcome.OutsideWindow, CouponEligibility.Check(From, To, null, [], To, Inside));
        // Late delivery of a login that happened in time still counts while the campaign runs.
        Assert.Equal(CouponEligibilityOutcome.Eligible, CouponEligibility.Check(From, To, null, [], Inside, To.AddTicks(-1)));
    }

    [Fact]
    public void Nothing_is_issued_once_the_campaign_has_ended_because_the_coupon_would_be_born_expired()
    {
        Assert.Equal(CouponEligibilityOutcome.OutsideWindow, CouponEligibility.Check(From, To, null, [], Inside, To));
    }

    [Fact]
    public void A_segment_campaign_needs_the_member_in_the_segment_at_login()
    {
        Assert.Equal(CouponEligibilityOutcome.Eligible, CouponEligibility.Check(From, To, "vip", ["gamers", "vip"], Inside, Inside));
        Assert.Equal(CouponEligibilityOutcome.NotInSegment, CouponEligibility.Check(From, To, "vip", ["gamers"], Inside, Inside));
        Assert.Equal(CouponEligibilityOutcome.NotInSegment, CouponEligibility.Check(From, To, "vip", ["VIP"], Inside, Inside));
        Assert.Equal(CouponEligibilityOutcome.NotInSegment, CouponEligibility.Check(From, To, "vip", [], Inside, Inside));
    }

    [Fact]
    public void The_window_is_checked_before_the_segment()
    {
        Assert.Equal(CouponEligibilityOutcome.OutsideWindow, CouponEligibility.Check(From, To, "vip", ["gamers"], To.AddDays(1), Inside));
    }
}
