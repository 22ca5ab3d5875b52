using Promotion.Domain.Campaigns;
using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every coupon store must do; run against PostgreSQL and the in-memory one.</summary>
public abstract class CouponStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    protected abstract ICouponStore Store { get; }

    protected static NewCouponCampaign Campaign(string name = "welcome", long? stock = null, string? segment = null, DateTimeOffset? to = null) =>
        new(name, segment, T0, to ?? T0.AddDays(7), stock, new CouponBenefit("5 off", 5m, null, 20m));

    private static IssuedCoupon Issued(Guid campaign, long member) => IssuedCoupon.For(campaign, member, T0.AddMinutes(1));

    [Fact]
    public async Task A_campaign_is_stored_listed_and_stopped_once()
    {
        var created = await Store.CreateCampaignAsync(Campaign("first", stock: 10, segment: "vip"), T0, default);
        var other = await Store.CreateCampaignAsync(new NewCouponCampaign("second", null, T0, T0.AddDays(1), null, new CouponBenefit("10%", null, 10, null)), T0.AddSeconds(1), default);

        var read = await Store.GetCampaignAsync(created.Id, default);
        Assert.Equal(created, read);
        Assert.Equal(("first", "vip", 10L, 0L, (long?)10), (read!.Name, read.Segment, read.Stock!.Value, read.Issued, read.StockLeft));
        Assert.Equal(new CouponBenefit("5 off", 5m, null, 20m), read.Coupon);
        Assert.Equal(new CouponBenefit("10%", null, 10, null), other.Coupon);
        Assert.Null(await Store.GetCampaignAsync(Guid.NewGuid(), default));

        var page = await Store.ListCampaignsAsync(1, 1, default);
        Assert.Equal(2, page.Total);
        Assert.Equal(other.Id, Assert.Single(page.Items).Id);

        var stopped = await Store.StopCampaignAsync(created.Id, T0.AddHours(1), default);
        Assert.Equal(T0.AddHours(1), stopped.StoppedAt);
        Assert.Equal(T0.AddHours(1), (await Store.StopCampaignAsync(created.Id, T0.AddHours(2), default)).StoppedAt);
        Assert.Equal(CouponCampaignStatus.Stopped, stopped.StatusAt(T0.AddHours(3)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.StopCampaignAsync(Guid.NewGuid(), T0, default));
    }

    [Fact]
    public async Task Live_campaigns_are_those_neither_stopped_nor_ended()
    {
        var running = await Store.CreateCampaignAsync(Campaign("running"), T0, default);
        var scheduled = await Store.CreateCampaignAsync(new NewCouponCampaign("later", null, T0.AddDays(3), T0.AddDays(4), null, new CouponBenefit("t", 1m, null, null)), T0, default);
        var ended = await Store.CreateCampaignAsync(Campaign("ended", to: T0.AddHours(1)), T0, default);
        var stopped = await Store.CreateCampaignAsync(Campaign("stopped"), T0, default);
        await Store.StopCampaignAsync(stopped.Id, T0, default);

        var live = (await Store.ListLiveCampaignsAsync(T0.AddHours(2), default)).Select(c => c.Id).ToList();
        Assert.Contains(running.Id, live);
        Assert.Contains(scheduled.Id, live);
        Assert.DoesNotContain(ended.Id, live);
        Assert.DoesNotContain(stopped.Id, live);
    }

    [Fact]
    public async Task Writing_issued_coupons_inserts_new_ones_once_and_reports_existing_ones()
    {
        var c = await Store.CreateCampaignAsync(Campaign(), T0, default);
        var first = await Store.WriteIssuedAsync([Issued(c.Id, 1), Issued(c.Id, 2), Issued(c.Id, 2)], default);
        Assert.Equal([1L, 2L], first.Inserted.Select(k => k.MemberId).Order());
        Assert.Empty(first.Existing);
        Assert.Empty(first.Refused);

        var again = await Store.WriteIssuedAsync([Issued(c.Id, 2), Issued(c.Id, 3)], default);
        Assert.Equal([new CouponKey(c.Id, 3)], again.Inserted);
        Assert.Equal([new CouponKey(c.Id, 2)], again.Existing);

        Assert.Equal(3, (await Store.GetCampaignAsync(c.Id, default))!.Issued);
        var members = new List<long>();
        await foreach (var m in Store.ReadIssuedMembersAsync(c.Id, default))
        {
            members.Add(m);
        }

        Assert.Equal([1L, 2L, 3L], members.Order());
        var coupon = Assert.Single(await Store.ListMemberCouponsAsync(2, default));
        Assert.Equal(CouponId.For(c.Id, 2), coupon.Id);
        Assert.Equal((c.Id, 2L, CouponStatus.Issued, T0.AddMinutes(1), "5 off", c.ValidTo), (coupon.CouponCampaignId, coupon.MemberId, coupon.StoredStatus, coupon.IssuedAt, coupon.Title, coupon.ValidTo));
        Assert.Equal(coupon, await Store.GetCouponAsync(coupon.Id, default));
    }

    [Fact]
    public async Task No_campaign_gets_more_coupons_than_its_stock_and_those_over_it_are_refused_in_input_order()
    {
        var c = await Store.CreateCampaignAsync(Campaign(stock: 3), T0, default);
        var unlimited = await Store.CreateCampaignAsync(Campaign(), T0, default);
        var result = await Store.WriteIssuedAsync([.. new long[] { 5, 4, 3, 2, 1 }.Select(m => Issued(c.Id, m)), Issued(unlimited.Id, 9)], default);
        Assert.Equal([3L, 4L, 5L], result.Inserted.Where(k => k.CouponCampaignId == c.Id).Select(k => k.MemberId).Order());
        Assert.Contains(new CouponKey(unlimited.Id, 9), result.Inserted);
        Assert.Equal([1L, 2L], result.Refused.Select(k => k.MemberId).Order());

        var more = await Store.WriteIssuedAsync([Issued(c.Id, 5), Issued(c.Id, 6)], default);
        Assert.Equal([new CouponKey(c.Id, 5)], more.Existing);
        Assert.Equal([new CouponKey(c.Id, 6)], more.Refused);
        var stored = (await Store.GetCampaignAsync(c.Id, default))!;
        Assert.Equal((3L, (long?)0), (stored.Issued, stored.StockLeft));
        Assert.Equal(CouponCampaignStatus.SoldOut, stored.StatusAt(T0.AddHours(1)));
    }

    [Fact]
    public async Task Concurrent_writers_never_exceed_the_stock()
    {
        var c = await Store.CreateCampaignAsync(Campaign(stock: 100), T0, default);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(w => Task.Run(() =>
            Store.WriteIssuedAsync([.. Enumerable.Range(1, 50).Select(i => Issued(c.Id, (w * 50) + i))], default))));
        Assert.Equal(100, results.Sum(r => r.Inserted.Count));
        Assert.Equal(400, results.Sum(r => r.Refused.Count));
        Assert.Equal(100, (await Store.GetCampaignAsync(c.Id, default))!.Issued);
    }

    [Fact]
    public async Task A_coupon_for_an_unknown_campaign_is_refused()
    {
        var unknown = Guid.NewGuid();
        var result = await Store.WriteIssuedAsync([Issued(unknown, 1)], default);
        Assert.Equal([new CouponKey(unknown, 1)], result.Refused);
    }

    [Fact]
    public async Task Claim_and_redeem_follow_the_lifecycle_idempotently_and_refuse_illegal_moves()
    {
        var c = await Store.CreateCampaignAsync(Campaign(to: T0.AddDays(1)), T0, default);
        await Store.WriteIssuedAsync([Issued(c.Id, 1), Issued(c.Id, 2)], default);
        var id = CouponId.For(c.Id, 1);

        var redeemFirst = await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.TransitionCouponAsync(id, CouponTrigger.Redeem, "o-1", T0.AddHours(1), default));
        Assert.Equal("cannot redeem a coupon that is Issued; claim it first", redeemFirst.Message);

        var claimed = await Store.TransitionCouponAsync(id, CouponTrigger.Claim, null, T0.AddHours(1), default);
        Assert.Equal((CouponStatus.Claimed, (DateTimeOffset?)T0.AddHours(1)), (claimed.StoredStatus, claimed.ClaimedAt));
        Assert.Equal(claimed, await Store.TransitionCouponAsync(id, CouponTrigger.Claim, null, T0.AddHours(2), default));

        var redeemed = await Store.TransitionCouponAsync(id, CouponTrigger.Redeem, "o-1", T0.AddHours(3), default);
        Assert.Equal((CouponStatus.Redeemed, "o-1", (DateTimeOffset?)T0.AddHours(3)), (redeemed.StoredStatus, redeemed.OrderId, redeemed.RedeemedAt));
        Assert.Equal(redeemed, await Store.TransitionCouponAsync(id, CouponTrigger.Redeem, "o-1", T0.AddHours(4), default));
        await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.TransitionCouponAsync(id, CouponTrigger.Redeem, "o-2", T0.AddHours(4), default));
        await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.TransitionCouponAsync(id, CouponTrigger.Claim, null, T0.AddHours(4), default));

        // The second coupon was never claimed: from validTo on it is expired.
        var other = CouponId.For(c.Id, 2);
        var expired = await Assert.ThrowsAsync<IllegalTransitionException>(() => Store.TransitionCouponAsync(other, CouponTrigger.Claim, null, T0.AddDays(2), default));
        Assert.StartsWith("cannot claim a coupon that expired", expired.Message, StringComparison.Ordinal);
        Assert.Equal(CouponStatus.Expired, (await Store.GetCouponAsync(other, default))!.StatusAt(T0.AddDays(2)));

        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.TransitionCouponAsync(Guid.NewGuid(), CouponTrigger.Claim, null, T0, default));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_coupon_all_succeed_and_store_one_claim()
    {
        var c = await Store.CreateCampaignAsync(Campaign(), T0, default);
        await Store.WriteIssuedAsync([Issued(c.Id, 1)], default);
        var id = CouponId.For(c.Id, 1);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Store.TransitionCouponAsync(id, CouponTrigger.Claim, null, T0.AddMinutes(10 + i), default))));
        Assert.All(results, r => Assert.Equal(CouponStatus.Claimed, r.StoredStatus));
        Assert.Single(results.Select(r => r.ClaimedAt).Distinct());
    }
}
