using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every coupon ledger must do; run against Redis and the in-memory one.</summary>
public abstract class CouponLedgerContract
{
    protected static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    protected abstract ICouponLedger Ledger { get; }

    /// <summary>Loses everything the ledger holds, as a Redis FLUSHALL does.</summary>
    protected abstract Task FlushAsync();

    /// <summary>The members recorded for a campaign, true when written.</summary>
    protected abstract Task<IReadOnlyDictionary<long, bool>> IssuedAsync(Guid campaignId);

    /// <summary>The stock counter of a campaign, or null when there is none.</summary>
    protected abstract Task<long?> StockAsync(Guid campaignId);

    protected static CouponCampaignRule Rule(string? segment = null, bool limited = false, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new(Guid.NewGuid(), from ?? Now.AddHours(-1), to ?? Now.AddHours(1), segment, limited);

    protected static LoginCheck Login(long member, DateTimeOffset? at = null, params string[] segments) => new(member, at ?? Now, segments);

    /// <summary>A new ledger (empty Redis) is restored once, from an empty store, before anything is decided.</summary>
    protected async Task ReadyAsync()
    {
        if (await Ledger.TryBeginRestoreAsync("setup", TimeSpan.FromMinutes(1), default) == RestoreStart.Began)
        {
            await Ledger.EndRestoreAsync("setup", completed: true, default);
        }
    }

    protected async Task<CouponDecisionOutcome> DecideOneAsync(Guid campaignId, LoginCheck login)
    {
        var decision = Assert.Single(await Ledger.DecideAsync([login], Now, default));
        Assert.NotNull(decision);
        return decision.Campaigns.Single(c => c.CouponCampaignId == campaignId).Outcome;
    }

    [Fact]
    public async Task A_login_issues_once_then_reports_pending_until_written_then_already_issued()
    {
        await ReadyAsync();
        var rule = Rule();
        await Ledger.PutCampaignAsync(rule, null, default);

        Assert.Equal(CouponDecisionOutcome.Issued, await DecideOneAsync(rule.Id, Login(1)));
        Assert.Equal(CouponDecisionOutcome.IssuedPending, await DecideOneAsync(rule.Id, Login(1)));
        Assert.Equal(new Dictionary<long, bool> { [1] = false }, await IssuedAsync(rule.Id));

        await Ledger.MarkWrittenAsync([new CouponKey(rule.Id, 1)], default);
        Assert.Equal(CouponDecisionOutcome.AlreadyIssued, await DecideOneAsync(rule.Id, Login(1)));
        // Whatever the later login is, an issued coupon is reported as issued.
        Assert.Equal(CouponDecisionOutcome.AlreadyIssued, await DecideOneAsync(rule.Id, Login(1, Now.AddDays(-3))));
        Assert.Equal(new Dictionary<long, bool> { [1] = true }, await IssuedAsync(rule.Id));
    }

    [Fact]
    public async Task A_batch_is_decided_in_order_as_one_step_with_duplicates_stock_and_segments_inside_it()
    {
        await ReadyAsync();
        var everyone = Rule();
        var limited = Rule(limited: true);
        var vip = Rule(segment: "vip");
        await Ledger.PutCampaignAsync(everyone, null, default);
        await Ledger.PutCampaignAsync(limited, 2, default);
        await Ledger.PutCampaignAsync(vip, null, default);

        // Member 1 twice in one batch, three members for a stock of two, one vip, one login before the window.
        var decisions = await Ledger.DecideAsync([Login(1, null, "vip"), Login(2), Login(1, null, "vip"), Login(3), Login(4, Now.AddHours(-2))], Now, default);

        Assert.Equal([1L, 2L, 1L, 3L, 4L], decisions.Select(d => d!.MemberId));
        CouponDecisionOutcome Of(int login, Guid campaign) => decisions[login]!.Campaigns.Single(c => c.CouponCampaignId == campaign).Outcome;
        Assert.Equal([CouponDecisionOutcome.Issued, CouponDecisionOutcome.Issued, CouponDecisionOutcome.IssuedPending, CouponDecisionOutcome.Issued, CouponDecisionOutcome.OutsideWindow],
            Enumerable.Range(0, 5).Select(i => Of(i, everyone.Id)));
        Assert.Equal([CouponDecisionOutcome.Issued, CouponDecisionOutcome.Issued, CouponDecisionOutcome.IssuedPending, CouponDecisionOutcome.SoldOut, CouponDecisionOutcome.OutsideWindow],
            Enumerable.Range(0, 5).Select(i => Of(i, limited.Id)));
        Assert.Equal([CouponDecisionOutcome.Issued, CouponDecisionOutcome.NotInSegment, CouponDecisionOutcome.IssuedPending, CouponDecisionOutcome.NotInSegment, CouponDecisionOutcome.OutsideWindow],
            Enumerable.Range(0, 5).Select(i => Of(i, vip.Id)));
        Assert.Equal(0, await StockAsync(limited.Id));
        Assert.Equal(new Dictionary<long, bool> { [1] = false, [2] = false }, await IssuedAsync(limited.Id));
    }

    [Fact]
    public async Task A_batch_against_an_empty_ledger_decides_none_of_its_logins()
    {
        await ReadyAsync();
        var rule = Rule();
        await Ledger.PutCampaignAsync(rule, null, default);
        await FlushAsync();
        var decisions = await Ledger.DecideAsync([Login(1), Login(2)], Now, default);
        Assert.Equal([null, null], decisions);
        Assert.Empty(await IssuedAsync(rule.Id));
        Assert.Empty(await Ledger.DecideAsync([], Now, default));
    }

    [Fact]
    public async Task Every_campaign_is_decided_at_once_by_window_and_segment()
    {
        await ReadyAsync();
        var everyone = Rule();
        var vip = Rule(segment: "vip");
        var later = Rule(from: Now.AddDays(1), to: Now.AddDays(2));
        foreach (var r in new[] { everyone, vip, later })
        {
            await Ledger.PutCampaignAsync(r, null, default);
        }

        var decision = Assert.Single(await Ledger.DecideAsync([Login(7, Now, "gamers")], Now, default))!;
        var outcomes = decision.Campaigns.Where(c => c.CouponCampaignId == everyone.Id || c.CouponCampaignId == vip.Id || c.CouponCampaignId == later.Id)
            .ToDictionary(c => c.CouponCampaignId, c => c.Outcome);
        Assert.Equal(CouponDecisionOutcome.Issued, outcomes[everyone.Id]);
        Assert.Equal(CouponDecisionOutcome.NotInSegment, outcomes[vip.Id]);
        Assert.Equal(CouponDecisionOutcome.OutsideWindow, outcomes[later.Id]);
        Assert.Equal(7, decision.MemberId);

        Assert.Equal(CouponDecisionOutcome.Issued, await DecideOneAsync(vip.Id, Login(8, Now, "gamers", "vip")));
        Assert.Equal(CouponDecisionOutcome.OutsideWindow, await DecideOneAsync(everyone.Id, Login(9, everyone.ValidFrom.AddMilliseconds(-1))));
        Assert.Equal(CouponDecisionOutcome.OutsideWindow, await DecideOneAsync(everyone.Id, Login(9, everyone.ValidTo)));
        Assert.Equal(CouponDecisionOutcome.Issued, await DecideOneAsync(everyone.Id, Login(9, everyone.ValidFrom)));
    }

    [Fact]
    public async Task Stock_of_1000_is_exact_under_5000_concurrent_logins_of_distinct_members()
    {
        await ReadyAsync();
        var rule = Rule(limited: true);
        await Ledger.PutCampaignAsync(rule, 1000, default);

        var batches = Enumerable.Range(0, 50).Select(b => Task.Run(() => Ledger.DecideAsync(
            [.. Enumerable.Range(1, 100).Select(i => Login((b * 100) + i))], Now, default)));
        var decisions = (await Task.WhenAll(batches)).SelectMany(d => d).Select(d => d!.Campaigns.Single(c => c.CouponCampaignId == rule.Id).Outcome).ToList();

        Assert.Equal(5000, decisions.Count);
        Assert.Equal(1000, decisions.Count(o => o == CouponDecisionOutcome.Issued));
        Assert.Equal(4000, decisions.Count(o => o == CouponDecisionOutcome.SoldOut));
        Assert.Equal(1000, (await IssuedAsync(rule.Id)).Count);
        Assert.Equal(0, await StockAsync(rule.Id));
    }

    [Fact]
    public async Task Concurrent_logins_of_one_member_issue_one_coupon()
    {
        await ReadyAsync();
        var rule = Rule(limited: true);
        await Ledger.PutCampaignAsync(rule, 10, default);

        var outcomes = (await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => DecideOneAsync(rule.Id, Login(5)))))).ToList();
        Assert.Equal(1, outcomes.Count(o => o == CouponDecisionOutcome.Issued));
        Assert.Equal(199, outcomes.Count(o => o == CouponDecisionOutcome.IssuedPending));
        Assert.Equal(9, await StockAsync(rule.Id));
    }

    [Fact]
    public async Task An_empty_ledger_decides_nothing_until_one_owner_restored_it()
    {
        await ReadyAsync();
        var rule = Rule(limited: true);
        await Ledger.PutCampaignAsync(rule, 10, default);
        Assert.Equal(CouponDecisionOutcome.Issued, await DecideOneAsync(rule.Id, Login(1)));

        await FlushAsync();
        Assert.All(await Ledger.DecideAsync([Login(1), Login(2)], Now, default), Assert.Null);
        Assert.Empty(await IssuedAsync(rule.Id));

        Assert.Equal(RestoreStart.Began, await Ledger.TryBeginRestoreAsync("a", TimeSpan.FromMinutes(1), default));
        Assert.Equal(RestoreStart.Busy, await Ledger.TryBeginRestoreAsync("b", TimeSpan.FromMinutes(1), default));
        await Ledger.RestoreMembersAsync(rule.Id, [1, 3], default);
        await Ledger.RestoreCampaignAsync(rule, 8, default);
        // Not decided before the restore has completed, even with the data back.
        Assert.Null(Assert.Single(await Ledger.DecideAsync([Login(4)], Now, default)));
        await Ledger.EndRestoreAsync("a", completed: true, default);

        Assert.Equal(RestoreStart.AlreadyRestored, await Ledger.TryBeginRestoreAsync("b", TimeSpan.FromMinutes(1), default));
        Assert.Equal(CouponDecisionOutcome.AlreadyIssued, await DecideOneAsync(rule.Id, Login(1)));
        Assert.Equal(CouponDecisionOutcome.AlreadyIssued, await DecideOneAsync(rule.Id, Login(3)));
        Assert.Equal(CouponDecisionOutcome.Issued, await DecideOneAsync(rule.Id, Login(2)));
        Assert.Equal(7, await StockAsync(rule.Id));
    }

    [Fact]
    public async Task A_restore_lock_of_a_dead_owner_runs_out_and_its_late_end_changes_nothing()
    {
        await FlushAsync();
        Assert.Equal(RestoreStart.Began, await Ledger.TryBeginRestoreAsync("dead", TimeSpan.FromMilliseconds(200), default));
        Assert.Equal(RestoreStart.Busy, await Ledger.TryBeginRestoreAsync("b", TimeSpan.FromMinutes(1), default));
        await Promotion.TestSupport.Eventually.TrueAsync(
            async () => await Ledger.TryBeginRestoreAsync("b", TimeSpan.FromMinutes(1), default) == RestoreStart.Began, TimeSpan.FromSeconds(10), "the dead owner's lock to run out");

        await Ledger.EndRestoreAsync("dead", completed: true, default);
        Assert.Equal(RestoreStart.Busy, await Ledger.TryBeginRestoreAsync("c", TimeSpan.FromMinutes(1), default));
        await Ledger.EndRestoreAsync("b", completed: true, default);
        Assert.Equal(RestoreStart.AlreadyRestored, await Ledger.TryBeginRestoreAsync("c", TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task An_abandoned_restore_releases_the_lock_without_marking_the_ledger_restored()
    {
        await FlushAsync();
        Assert.Equal(RestoreStart.Began, await Ledger.TryBeginRestoreAsync("a", TimeSpan.FromMinutes(1), default));
        await Ledger.EndRestoreAsync("a", completed: false, default);
        Assert.Equal(RestoreStart.Began, await Ledger.TryBeginRestoreAsync("b", TimeSpan.FromMinutes(1), default));
        await Ledger.EndRestoreAsync("b", completed: true, default);
    }

    [Fact]
    public async Task Revoke_takes_back_pending_coupons_only_and_sets_the_stock_to_zero()
    {
        await ReadyAsync();
        var rule = Rule(limited: true);
        await Ledger.PutCampaignAsync(rule, 5, default);
        await DecideOneAsync(rule.Id, Login(1));
        await DecideOneAsync(rule.Id, Login(2));
        await Ledger.MarkWrittenAsync([new CouponKey(rule.Id, 2)], default);

        await Ledger.RevokeAsync([new CouponKey(rule.Id, 1), new CouponKey(rule.Id, 2)], default);
        Assert.Equal(new Dictionary<long, bool> { [2] = true }, await IssuedAsync(rule.Id));
        Assert.Equal(0, await StockAsync(rule.Id));
        Assert.Equal(CouponDecisionOutcome.SoldOut, await DecideOneAsync(rule.Id, Login(3)));
    }

    [Fact]
    public async Task Putting_a_campaign_again_keeps_its_stock_counter_and_removing_it_stops_decisions()
    {
        await ReadyAsync();
        var rule = Rule(limited: true);
        await Ledger.PutCampaignAsync(rule, 10, default);
        await DecideOneAsync(rule.Id, Login(1));
        await Ledger.PutCampaignAsync(rule, 10, default);
        Assert.Equal(9, await StockAsync(rule.Id));
        Assert.Contains(rule.Id, await Ledger.ListCampaignIdsAsync(default));

        await Ledger.RemoveCampaignAsync(rule.Id, default);
        Assert.DoesNotContain(rule.Id, await Ledger.ListCampaignIdsAsync(default));
        var decision = Assert.Single(await Ledger.DecideAsync([Login(2)], Now, default))!;
        Assert.DoesNotContain(decision.Campaigns, c => c.CouponCampaignId == rule.Id);
    }

    [Fact]
    public async Task Nothing_is_issued_for_a_campaign_that_has_ended_even_for_a_login_inside_its_window()
    {
        await ReadyAsync();
        var rule = Rule(from: Now.AddHours(-2), to: Now.AddMinutes(-1));
        await Ledger.PutCampaignAsync(rule, null, default);
        Assert.Equal(CouponDecisionOutcome.OutsideWindow, await DecideOneAsync(rule.Id, Login(1, Now.AddHours(-1))));
    }
}
