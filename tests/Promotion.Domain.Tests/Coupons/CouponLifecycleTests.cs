using Promotion.Domain.Campaigns;
using Promotion.Domain.Coupons;

namespace Promotion.Domain.Tests.Coupons;

public sealed class CouponLifecycleTests
{
    private static readonly DateTimeOffset ValidTo = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Before = ValidTo.AddHours(-1);
    private static readonly DateTimeOffset After = ValidTo.AddHours(1);

    [Fact]
    public void Issued_is_claimed_then_redeemed()
    {
        Assert.Equal((CouponStatus.Claimed, true), CouponLifecycle.Apply(CouponStatus.Issued, null, CouponTrigger.Claim, null, ValidTo, Before));
        Assert.Equal((CouponStatus.Redeemed, true), CouponLifecycle.Apply(CouponStatus.Claimed, null, CouponTrigger.Redeem, "order-1", ValidTo, Before));
    }

    [Fact]
    public void Claiming_again_and_redeeming_again_with_the_same_order_change_nothing()
    {
        Assert.Equal((CouponStatus.Claimed, false), CouponLifecycle.Apply(CouponStatus.Claimed, null, CouponTrigger.Claim, null, ValidTo, Before));
        Assert.Equal((CouponStatus.Redeemed, false), CouponLifecycle.Apply(CouponStatus.Redeemed, "order-1", CouponTrigger.Redeem, "order-1", ValidTo, Before));
    }

    [Theory]
    [InlineData(CouponStatus.Issued, CouponTrigger.Redeem, "cannot redeem a coupon that is Issued; claim it first")]
    [InlineData(CouponStatus.Redeemed, CouponTrigger.Claim, "cannot claim a coupon that is Redeemed")]
    [InlineData(CouponStatus.Issued, CouponTrigger.Expire, "cannot expire a coupon before its campaign ends at 2026-12-01T00:00:00Z")]
    public void Illegal_transitions_are_refused_with_a_clear_message(CouponStatus from, CouponTrigger trigger, string message)
    {
        var ex = Assert.Throws<IllegalTransitionException>(() => CouponLifecycle.Apply(from, null, trigger, "order-1", ValidTo, Before));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Redeeming_with_another_order_is_refused_naming_the_first()
    {
        var ex = Assert.Throws<IllegalTransitionException>(() =>
            CouponLifecycle.Apply(CouponStatus.Redeemed, "order-1", CouponTrigger.Redeem, "order-2", ValidTo, Before));
        Assert.Contains("order-1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CouponStatus.Issued)]
    [InlineData(CouponStatus.Claimed)]
    public void Issued_and_claimed_coupons_expire_at_valid_to_and_then_refuse_claim_and_redeem(CouponStatus stored)
    {
        Assert.Equal(stored, CouponLifecycle.Effective(stored, ValidTo, Before));
        Assert.Equal(CouponStatus.Expired, CouponLifecycle.Effective(stored, ValidTo, ValidTo));
        Assert.Equal((CouponStatus.Expired, true), CouponLifecycle.Apply(stored, null, CouponTrigger.Expire, null, ValidTo, After));
        var claim = Assert.Throws<IllegalTransitionException>(() => CouponLifecycle.Apply(stored, null, CouponTrigger.Claim, null, ValidTo, After));
        Assert.Equal("cannot claim a coupon that expired at 2026-12-01T00:00:00Z", claim.Message);
        var redeem = Assert.Throws<IllegalTransitionException>(() => CouponLifecycle.Apply(stored, null, CouponTrigger.Redeem, "o", ValidTo, After));
        Assert.StartsWith("cannot redeem a coupon that expired", redeem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redeemed_coupon_never_expires()
    {
        Assert.Equal(CouponStatus.Redeemed, CouponLifecycle.Effective(CouponStatus.Redeemed, ValidTo, After));
        Assert.Equal((CouponStatus.Redeemed, false), CouponLifecycle.Apply(CouponStatus.Redeemed, "o", CouponTrigger.Redeem, "o", ValidTo, After));
    }

    [Fact]
    public void Redeem_needs_an_order_id()
    {
        Assert.Throws<ArgumentException>(() => CouponLifecycle.Apply(CouponStatus.Claimed, null, CouponTrigger.Redeem, " ", ValidTo, Before));
    }

    [Fact]
    public void Terminal_statuses_are_redeemed_and_expired()
    {
        Assert.True(CouponLifecycle.IsTerminal(CouponStatus.Redeemed));
        Assert.True(CouponLifecycle.IsTerminal(CouponStatus.Expired));
        Assert.False(CouponLifecycle.IsTerminal(CouponStatus.Issued));
        Assert.False(CouponLifecycle.IsTerminal(CouponStatus.Claimed));
    }
}
