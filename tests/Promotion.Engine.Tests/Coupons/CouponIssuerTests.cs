using Promotion.Engine.Campaigns;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Engine.Tests.Coupons;

public sealed class CouponIssuerTests : IAsyncDisposable
{
    private readonly CouponRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task Repeated_logins_give_each_eligible_member_exactly_one_coupon_per_campaign()
    {
        var everyone = await _rig.CreateAsync();
        var vip = await _rig.CreateAsync(segment: "vip");
        var logins = Enumerable.Range(1, 300).Concat(Enumerable.Range(1, 300)).Concat(Enumerable.Range(100, 50)).Select(i => (long)i).ToArray();
        Random.Shared.Shuffle(logins);

        await Task.WhenAll(logins.Chunk(97).Select(chunk => Task.Run(() => _rig.HandleAsync(CouponRig.Batch(chunk)))));

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), await _rig.HoldersAsync(everyone.Id));
        var vips = Enumerable.Range(1, 300).Select(i => (long)i).Where(m => CouponRig.IsIn(m, "vip")).ToList();
        Assert.NotEmpty(vips);
        Assert.Equal(vips, await _rig.HoldersAsync(vip.Id));
        // The ledger agrees with the store, and every coupon is marked written.
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), _rig.Ledger.IssuedOf(everyone.Id).Keys.Order());
        Assert.All(_rig.Ledger.IssuedOf(everyone.Id).Values, Assert.True);
        Assert.Equal(300, (await _rig.Store.GetCampaignAsync(everyone.Id, default))!.Issued);
    }

    [Fact]
    public async Task Logins_outside_the_window_and_of_unknown_members_issue_nothing()
    {
        var now = CouponRig.Now;
        var campaign = await _rig.CreateAsync(from: now.AddHours(1), to: now.AddHours(2));
        await _rig.HandleAsync((LoginEvent[])[
            new LoginEvent(1, now), new LoginEvent(2, now.AddHours(2)), new LoginEvent(3, now.AddHours(3)), new LoginEvent(999_999, now.AddMinutes(90)),
        ]);
        Assert.Empty(await _rig.HoldersAsync(campaign.Id));
        Assert.Empty(_rig.Ledger.IssuedOf(campaign.Id));
    }

    [Fact]
    public async Task A_message_delivered_again_after_its_handler_died_before_writing_writes_the_coupon_once()
    {
        var campaign = await _rig.CreateAsync(stock: 10);
        // The first delivery decided, then its process died: the ledger says pending, the store has nothing.
        await _rig.Ledger.DecideAsync([new LoginCheck(5, CouponRig.Now, [])], CouponRig.Now, default);
        Assert.Empty(await _rig.HoldersAsync(campaign.Id));

        await _rig.HandleAsync(CouponRig.Batch(5));
        await _rig.HandleAsync(CouponRig.Batch(5));

        Assert.Equal([5L], await _rig.HoldersAsync(campaign.Id));
        Assert.True(_rig.Ledger.IssuedOf(campaign.Id)[5]);
        Assert.Equal(9, _rig.Ledger.StockOf(campaign.Id));
        Assert.Equal(1, (await _rig.Store.GetCampaignAsync(campaign.Id, default))!.Issued);
    }

    [Fact]
    public async Task After_the_ledger_lost_its_data_it_is_restored_before_deciding_and_nobody_gets_a_second_coupon()
    {
        var unlimited = await _rig.CreateAsync();
        var limited = await _rig.CreateAsync(stock: 150);
        await _rig.HandleAsync(CouponRig.Batch([.. Enumerable.Range(1, 100).Select(i => (long)i)]));

        _rig.Ledger.Clear();
        await _rig.HandleAsync(CouponRig.Batch([.. Enumerable.Range(1, 300).Select(i => (long)i)]));

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), await _rig.HoldersAsync(unlimited.Id));
        Assert.Equal(150, (await _rig.HoldersAsync(limited.Id)).Count);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), (await _rig.HoldersAsync(limited.Id)).Take(100));
        Assert.Equal(0, _rig.Ledger.StockOf(limited.Id));
        Assert.Equal(await _rig.HoldersAsync(limited.Id), _rig.Ledger.IssuedOf(limited.Id).Keys.Order());
    }

    [Fact]
    public async Task Decisions_lost_in_a_flush_that_over_issue_are_refused_by_the_store_and_taken_back()
    {
        // Handler A decides members 1 and 2; before it writes, Redis is flushed and handler B
        // restores (stock 2 free in the store) and issues 3 and 4. A's late write then meets a
        // sold-out store, which refuses it, and A takes its coupons back from the ledger.
        FlushOnceLedger? flushing = null;
        await using var rig = new CouponRig(wrapLedger: inner => flushing = new FlushOnceLedger(inner));
        var campaign = await rig.CreateAsync(stock: 2);
        flushing!.Between = async () =>
        {
            rig.Ledger.Clear();
            await rig.HandleAsync(CouponRig.Batch(3, 4));
        };

        await rig.HandleAsync(CouponRig.Batch(1, 2));

        Assert.Equal([3L, 4L], await rig.HoldersAsync(campaign.Id));
        Assert.Equal(new Dictionary<long, bool> { [3] = true, [4] = true }, rig.Ledger.IssuedOf(campaign.Id));
        Assert.Equal(0, rig.Ledger.StockOf(campaign.Id));
        Assert.Equal(2, (await rig.Store.GetCampaignAsync(campaign.Id, default))!.Issued);
    }

    [Fact]
    public async Task Malformed_events_are_left_out_and_the_good_ones_of_the_batch_are_decided()
    {
        var campaign = await _rig.CreateAsync();
        LoginEvent[] batch = [new LoginEvent(1, CouponRig.Now), new LoginEvent(0, CouponRig.Now), new LoginEvent(2, default), null!, new LoginEvent(3, CouponRig.Now)];

        await _rig.HandleAsync(batch);

        Assert.Equal([1L, 3L], await _rig.HoldersAsync(campaign.Id));
    }

    [Fact]
    public async Task Login_batches_are_validated_and_queued_as_one_message()
    {
        await _rig.Commands.AcceptLoginsAsync([new LoginEvent(1, CouponRig.Now), new LoginEvent(2, CouponRig.Now)], default);
        var sent = Assert.Single(_rig.Publisher.Published);
        Assert.Equal(2, sent.Count);

        var tooMany = await Assert.ThrowsAsync<CampaignValidationException>(() =>
            _rig.Commands.AcceptLoginsAsync([.. Enumerable.Range(1, 1001).Select(i => new LoginEvent(i, CouponRig.Now))], default));
        Assert.Equal("body", Assert.Single(tooMany.Errors).Field);
        var bad = await Assert.ThrowsAsync<CampaignValidationException>(() =>
            _rig.Commands.AcceptLoginsAsync([new LoginEvent(1, CouponRig.Now), new LoginEvent(-4, CouponRig.Now)], default));
        Assert.Equal("[1].memberId", Assert.Single(bad.Errors).Field);
        Assert.Single(_rig.Publisher.Published);
    }

    [Fact]
    public async Task Creating_refuses_an_unknown_segment_and_stopping_ends_issuing()
    {
        var unknown = await Assert.ThrowsAsync<CampaignValidationException>(() => _rig.CreateAsync(segment: "astronauts"));
        Assert.Equal("audience.segment", Assert.Single(unknown.Errors).Field);

        var campaign = await _rig.CreateAsync();
        await _rig.HandleAsync(CouponRig.Batch(1));
        var stopped = await _rig.Commands.StopAsync(campaign.Id, default);
        Assert.NotNull(stopped.StoppedAt);
        await _rig.HandleAsync(CouponRig.Batch(2));
        Assert.Equal([1L], await _rig.HoldersAsync(campaign.Id));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _rig.Commands.StopAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task The_mirror_puts_campaigns_the_ledger_missed_and_drops_stopped_ones()
    {
        var kept = await _rig.CreateAsync(stock: 5);
        var stopped = await _rig.CreateAsync();
        await _rig.Store.StopCampaignAsync(stopped.Id, CouponRig.Now, default);
        // Created while the ledger did not take it:
        var missed = await _rig.Store.CreateCampaignAsync(new NewCouponCampaign("missed", null, CouponRig.Now.AddHours(-1), CouponRig.Now.AddHours(1), 7, new CouponBenefit("t", 1m, null, null)), CouponRig.Now, default);

        await _rig.Mirror.MirrorAsync(default);

        var ids = await _rig.Ledger.ListCampaignIdsAsync(default);
        Assert.Contains(kept.Id, ids);
        Assert.Contains(missed.Id, ids);
        Assert.DoesNotContain(stopped.Id, ids);
        Assert.Equal(7, _rig.Ledger.StockOf(missed.Id));
    }

    [Fact]
    public async Task The_mirror_restores_an_empty_ledger_without_waiting_for_a_login()
    {
        var campaign = await _rig.CreateAsync(stock: 5);
        await _rig.HandleAsync(CouponRig.Batch(1, 2));
        _rig.Ledger.Clear();

        await _rig.Mirror.MirrorAsync(default);

        Assert.Equal(new Dictionary<long, bool> { [1] = true, [2] = true }, _rig.Ledger.IssuedOf(campaign.Id));
        Assert.Equal(3, _rig.Ledger.StockOf(campaign.Id));
    }

    /// <summary>Runs <see cref="Between"/> once, right after the first decision and before the issuer writes.</summary>
    private sealed class FlushOnceLedger(InMemoryCouponLedger inner) : ICouponLedger
    {
        public Func<Task>? Between { get; set; }

        public async Task<IReadOnlyList<LoginDecision?>> DecideAsync(IReadOnlyList<LoginCheck> logins, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var decisions = await inner.DecideAsync(logins, now, cancellationToken);
            if (Between is { } between)
            {
                Between = null;
                await between();
            }

            return decisions;
        }

        public Task MarkWrittenAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken) => inner.MarkWrittenAsync(coupons, cancellationToken);

        public Task RevokeAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken) => inner.RevokeAsync(coupons, cancellationToken);

        public Task PutCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken) => inner.PutCampaignAsync(rule, stockLeft, cancellationToken);

        public Task RemoveCampaignAsync(Guid couponCampaignId, CancellationToken cancellationToken) => inner.RemoveCampaignAsync(couponCampaignId, cancellationToken);

        public Task<IReadOnlyList<Guid>> ListCampaignIdsAsync(CancellationToken cancellationToken) => inner.ListCampaignIdsAsync(cancellationToken);

        public Task<RestoreStart> TryBeginRestoreAsync(string owner, TimeSpan lease, CancellationToken cancellationToken) => inner.TryBeginRestoreAsync(owner, lease, cancellationToken);

        public Task RestoreMembersAsync(Guid couponCampaignId, IReadOnlyCollection<long> members, CancellationToken cancellationToken) => inner.RestoreMembersAsync(couponCampaignId, members, cancellationToken);

        public Task RestoreCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken) => inner.RestoreCampaignAsync(rule, stockLeft, cancellationToken);

        public Task EndRestoreAsync(string owner, bool completed, CancellationToken cancellationToken) => inner.EndRestoreAsync(owner, completed, cancellationToken);
    }
}
