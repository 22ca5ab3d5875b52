using Promotion.Domain.Coupons;

namespace Promotion.Domain.Tests.Coupons;

public sealed class CouponCampaignDraftTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static CouponCampaignDraft Valid() =>
        new("Welcome back", null, Now, Now.AddDays(7), 1000, "5 off", 5m, null, 30m);

    private static string[] Fields(CouponCampaignDraft draft) => [.. draft.Validate(Now).Select(e => e.Field)];

    [Fact]
    public void A_valid_draft_has_no_errors()
    {
        Assert.Empty(Valid().Validate(Now));
        Assert.Empty((Valid() with { Amount = null, Percent = 15, Stock = null, MinSpend = null, Segment = "vip" }).Validate(Now));
    }

    [Fact]
    public void Valid_to_before_valid_from_names_valid_to()
    {
        var draft = Valid() with { ValidTo = Now.AddDays(-1), ValidFrom = Now };
        var error = Assert.Single(draft.Validate(Now));
        Assert.Equal(("validTo", "validTo must be after validFrom"), error);
        Assert.Equal(["validTo"], Fields(Valid() with { ValidTo = Now }));
    }

    [Fact]
    public void A_window_already_over_is_refused()
    {
        var draft = Valid() with { ValidFrom = Now.AddDays(-7), ValidTo = Now.AddMinutes(-1) };
        Assert.Equal(["validTo"], Fields(draft));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(2_000_000_000L)]
    public void Stock_outside_1_to_a_billion_names_stock(long stock) => Assert.Equal(["stock"], Fields(Valid() with { Stock = stock }));

    [Fact]
    public void Amount_and_percent_both_or_neither_name_coupon()
    {
        Assert.Equal(["coupon"], Fields(Valid() with { Percent = 10 }));
        Assert.Equal(["coupon"], Fields(Valid() with { Amount = null }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-5)]
    public void Percent_outside_1_to_100_names_coupon_percent(int percent) =>
        Assert.Equal(["coupon.percent"], Fields(Valid() with { Amount = null, Percent = percent }));

    [Fact]
    public void Bad_amounts_and_missing_fields_name_their_paths()
    {
        Assert.Equal(["coupon.amount"], Fields(Valid() with { Amount = 0m }));
        Assert.Equal(["coupon.amount"], Fields(Valid() with { Amount = 1.005m }));
        Assert.Equal(["coupon.minSpend"], Fields(Valid() with { MinSpend = -1m }));
        Assert.Equal(["coupon.title"], Fields(Valid() with { Title = " " }));
        Assert.Equal(["name"], Fields(Valid() with { Name = null }));
        Assert.Equal(["name"], Fields(Valid() with { Name = new string('n', 201) }));
        Assert.Equal(["audience.segment"], Fields(Valid() with { Segment = "" }));
        Assert.Equal(["validFrom", "validTo"], Fields(Valid() with { ValidFrom = null, ValidTo = null }));
    }
}
