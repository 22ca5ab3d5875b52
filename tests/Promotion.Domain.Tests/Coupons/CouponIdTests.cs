using Promotion.Domain.Coupons;

namespace Promotion.Domain.Tests.Coupons;

public sealed class CouponIdTests
{
    private static readonly Guid Campaign = Guid.Parse("01a1fd94-0c93-7176-971b-dbeed734d3b1");

    [Fact]
    public void The_same_pair_always_gives_the_same_id_and_different_pairs_differ()
    {
        Assert.Equal(CouponId.For(Campaign, 42), CouponId.For(Campaign, 42));
        Assert.NotEqual(CouponId.For(Campaign, 42), CouponId.For(Campaign, 43));
        Assert.NotEqual(CouponId.For(Campaign, 42), CouponId.For(Guid.NewGuid(), 42));
        var ids = Enumerable.Range(1, 100_000).Select(m => CouponId.For(Campaign, m)).ToHashSet();
        Assert.Equal(100_000, ids.Count);
    }

    [Fact]
    public void The_id_is_a_version_5_uuid()
    {
        var text = CouponId.For(Campaign, 7).ToString("D");
        Assert.Equal('5', text[14]);
        Assert.Contains(text[19], "89ab");
        // Pinned: stores and ledgers in other processes must derive the very same id.
        Assert.Equal(CouponId.For(Campaign, 7), Guid.Parse(text));
    }
}

public sealed class CouponCampaignStatusTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Status_follows_window_stock_and_stop()
    {
        Assert.Equal(CouponCampaignStatus.Scheduled, CouponCampaignStatuses.At(From, To, null, false, From.AddTicks(-1)));
        Assert.Equal(CouponCampaignStatus.Active, CouponCampaignStatuses.At(From, To, null, false, From));
        Assert.Equal(CouponCampaignStatus.Active, CouponCampaignStatuses.At(From, To, 3, false, From));
        Assert.Equal(CouponCampaignStatus.SoldOut, CouponCampaignStatuses.At(From, To, 0, false, From));
        Assert.Equal(CouponCampaignStatus.Ended, CouponCampaignStatuses.At(From, To, 3, false, To));
        Assert.Equal(CouponCampaignStatus.Stopped, CouponCampaignStatuses.At(From, To, 3, true, From));
    }

    [Fact]
    public void Login_event_rules_name_the_field()
    {
        Assert.Null(LoginEventRules.Problem(1, From));
        Assert.Equal("memberId", LoginEventRules.Problem(0, From)?.Field);
        Assert.Equal("memberId must be a positive integer", LoginEventRules.Problem(-3, From)?.Message);
        Assert.Equal("at", LoginEventRules.Problem(1, default)?.Field);
        Assert.StartsWith("at is required", LoginEventRules.Problem(1, default)?.Message, StringComparison.Ordinal);
    }
}
