using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.InMemory;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Coupons;

/// <summary>
/// Login events end to end on the in-process cluster: the endpoint's command puts batches on the
/// login-event stream (memory streams, four partitions), the partition grains decide them in the
/// ledger and write the coupons.
/// </summary>
public sealed class LoginStreamTests
{
    private static readonly string[] Api = ["api"];
    private static readonly string[] Worker = ["worker"];

    [Fact]
    public async Task Batches_with_duplicates_and_concurrent_logins_of_one_member_issue_each_member_one_coupon_and_never_beyond_stock()
    {
        await using var engine = await EngineCluster.StartAsync(members: 2_000, siloRoles: [Api, Worker, Worker]);
        var commands = engine.Get<CouponCommands>();
        var everyone = await commands.CreateAsync(Draft(stock: null), default);
        var limited = await commands.CreateAsync(Draft(stock: 300), default);

        // Every member once, a tenth twice, and member 7 in every batch, posted 8 at a time.
        var logins = Enumerable.Range(1, 2_000).Concat(Enumerable.Range(1, 200)).Select(m => (long)m).ToArray();
        Random.Shared.Shuffle(logins);
        var batches = logins.Chunk(99).Select(b => (LoginEvent[])[.. b.Select(m => new LoginEvent(m, DateTimeOffset.UtcNow)), new LoginEvent(7, DateTimeOffset.UtcNow)]).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (b, ct) => await commands.AcceptLoginsAsync(b, ct));

        var store = engine.Get<InMemoryCouponStore>();
        var ledger = engine.Get<InMemoryCouponLedger>();
        await Eventually.TrueAsync(async () => (await HoldersAsync(store, everyone.Id)).Count == 2_000 && ledger.IssuedOf(everyone.Id).Values.All(w => w)
            && (await HoldersAsync(store, limited.Id)).Count == 300 && ledger.IssuedOf(limited.Id).Values.All(w => w), TimeSpan.FromSeconds(60), "every coupon written");

        Assert.Equal(Enumerable.Range(1, 2_000).Select(m => (long)m), await HoldersAsync(store, everyone.Id));
        Assert.Equal(300, ledger.IssuedOf(limited.Id).Count);
        Assert.Equal(0, ledger.StockOf(limited.Id));
        Assert.Equal(300, (await store.GetCampaignAsync(limited.Id, default))!.Issued);
        // One grain per partition took every event.
        var tallies = await Task.WhenAll(Enumerable.Range(0, 4).Select(p => engine.Cluster.Grains.GetGrain<ILoginPartitionGrain>(p.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetTallyAsync()));
        Assert.Equal(batches.Sum(b => b.Length), tallies.Sum(t => t.Events));
        Assert.Equal(batches.Count, tallies.Sum(t => t.Batches));
    }

    [Fact]
    public async Task A_store_that_fails_for_a_while_delays_the_coupons_and_loses_none()
    {
        var flaky = new FlakyStore(failures: 4);
        await using var engine = await EngineCluster.StartAsync(members: 500, siloRoles: [Api, Worker],
            replace: s => s.AddSingleton<ICouponStore>(sp => flaky.Over(sp.GetRequiredService<InMemoryCouponStore>())));
        var commands = engine.Get<CouponCommands>();
        var everyone = await commands.CreateAsync(Draft(stock: null), default);

        foreach (var chunk in Enumerable.Range(1, 500).Chunk(100))
        {
            await commands.AcceptLoginsAsync([.. chunk.Select(m => new LoginEvent(m, DateTimeOffset.UtcNow))], default);
        }

        var store = engine.Get<InMemoryCouponStore>();
        await Eventually.TrueAsync(async () => (await HoldersAsync(store, everyone.Id)).Count == 500, TimeSpan.FromSeconds(60), "every coupon written after the store came back");
        Assert.Equal(Enumerable.Range(1, 500).Select(m => (long)m), await HoldersAsync(store, everyone.Id));
        Assert.True(flaky.Failed >= 4);
        var tallies = await Task.WhenAll(Enumerable.Range(0, 4).Select(p => engine.Cluster.Grains.GetGrain<ILoginPartitionGrain>(p.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetTallyAsync()));
        Assert.True(tallies.Sum(t => t.Failures) >= 1);
        Assert.Equal(500, tallies.Sum(t => t.Events));
    }

    private static CouponCampaignDraft Draft(long? stock) =>
        new("c", null, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), stock, "5 off", 5m, null, null);

    private static async Task<List<long>> HoldersAsync(InMemoryCouponStore store, Guid campaignId)
    {
        var members = new List<long>();
        await foreach (var m in store.ReadIssuedMembersAsync(campaignId, default))
        {
            members.Add(m);
        }

        members.Sort();
        return members;
    }

    /// <summary>The coupon store of a database that is restarting: its first writes fail.</summary>
    private sealed class FlakyStore(int failures)
    {
        private int _failed;

        public int Failed => _failed;

        private bool FailsNow() => Interlocked.Increment(ref _failed) <= failures;

        public ICouponStore Over(ICouponStore inner) => new Store(this, inner);

        private sealed class Store(FlakyStore owner, ICouponStore inner) : ICouponStore
        {
            public Task<CouponCampaign> CreateCampaignAsync(NewCouponCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken) => inner.CreateCampaignAsync(campaign, now, cancellationToken);

            public Task<CouponCampaign?> GetCampaignAsync(Guid id, CancellationToken cancellationToken) => inner.GetCampaignAsync(id, cancellationToken);

            public Task<CouponCampaignPage> ListCampaignsAsync(int page, int pageSize, CancellationToken cancellationToken) => inner.ListCampaignsAsync(page, pageSize, cancellationToken);

            public Task<CouponCampaign> StopCampaignAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken) => inner.StopCampaignAsync(id, now, cancellationToken);

            public Task<IReadOnlyList<CouponCampaign>> ListLiveCampaignsAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.ListLiveCampaignsAsync(now, cancellationToken);

            public IAsyncEnumerable<long> ReadIssuedMembersAsync(Guid couponCampaignId, CancellationToken cancellationToken) => inner.ReadIssuedMembersAsync(couponCampaignId, cancellationToken);

            public Task<CouponWriteResult> WriteIssuedAsync(IReadOnlyList<IssuedCoupon> coupons, CancellationToken cancellationToken) =>
                owner.FailsNow()
                    ? throw new InvalidOperationException("the database is restarting")
                    : inner.WriteIssuedAsync(coupons, cancellationToken);

            public Task<IReadOnlyList<Coupon>> ListMemberCouponsAsync(long memberId, CancellationToken cancellationToken) => inner.ListMemberCouponsAsync(memberId, cancellationToken);

            public Task<Coupon?> GetCouponAsync(Guid id, CancellationToken cancellationToken) => inner.GetCouponAsync(id, cancellationToken);

            public Task<Coupon> TransitionCouponAsync(Guid id, CouponTrigger trigger, string? orderId, DateTimeOffset now, CancellationToken cancellationToken) =>
                inner.TransitionCouponAsync(id, trigger, orderId, now, cancellationToken);
        }
    }
}
