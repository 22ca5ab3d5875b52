using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every hot-goods schedule store must do; run against PostgreSQL and the in-memory one.</summary>
public abstract class HotGoodsSchedulesContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    protected abstract IHotGoodsSchedules Store { get; }

    private static HotGoodsSchedule New(string segment = "gamers") =>
        new(Guid.NewGuid(), segment, "0/10 * * * * ?", "Europe/Berlin", 5, [Channel.App, Channel.Inbox], HotGoodsScheduleStatus.Active, T0, T0);

    [Fact]
    public async Task Schedules_are_stored_listed_and_change_status_only_from_the_expected_one()
    {
        var a = New();
        var b = New("parents") with { CreatedAt = T0.AddSeconds(1), UpdatedAt = T0.AddSeconds(1) };
        await Store.CreateAsync(a, default);
        await Store.CreateAsync(b, default);

        Assert.Equal(a, await Store.GetAsync(a.Id, default), ScheduleComparer.Instance);
        Assert.Equal([a.Id, b.Id], (await Store.ListAsync(default)).Select(s => s.Id));
        Assert.Null(await Store.GetAsync(Guid.NewGuid(), default));

        var paused = await Store.SetStatusAsync(a.Id, HotGoodsScheduleStatus.Active, HotGoodsScheduleStatus.Paused, T0.AddMinutes(1), default);
        Assert.Equal(HotGoodsScheduleStatus.Paused, paused?.Status);
        Assert.Equal(T0.AddMinutes(1), paused?.UpdatedAt);
        Assert.Null(await Store.SetStatusAsync(a.Id, HotGoodsScheduleStatus.Active, HotGoodsScheduleStatus.Paused, T0, default));
        Assert.Null(await Store.SetStatusAsync(Guid.NewGuid(), HotGoodsScheduleStatus.Active, HotGoodsScheduleStatus.Paused, T0, default));

        Assert.True(await Store.DeleteAsync(a.Id, default));
        Assert.False(await Store.DeleteAsync(a.Id, default));
        Assert.Equal([b.Id], (await Store.ListAsync(default)).Select(s => s.Id));
    }

    [Fact]
    public async Task A_firing_is_claimed_once_and_then_reported_as_held()
    {
        var s = New();
        await Store.CreateAsync(s, default);

        Assert.Null(await Store.TryClaimFiringAsync(s.Id, T0, "node-a", T0, default));
        var held = await Store.TryClaimFiringAsync(s.Id, T0, "node-b", T0.AddSeconds(1), default);
        Assert.Equal(("node-a", (HotGoodsFiringOutcome?)null), (held?.NodeId, held?.Outcome));
        // Another fire time is another firing.
        Assert.Null(await Store.TryClaimFiringAsync(s.Id, T0.AddSeconds(10), "node-b", T0.AddSeconds(10), default));

        var campaign = Guid.NewGuid();
        await Store.CompleteFiringAsync(s.Id, T0, HotGoodsFiringOutcome.Campaign, campaign, null, null, T0.AddSeconds(2), default);
        var done = await Store.TryClaimFiringAsync(s.Id, T0, "node-c", T0.AddSeconds(3), default);
        Assert.Equal((HotGoodsFiringOutcome?)HotGoodsFiringOutcome.Campaign, done?.Outcome);
        Assert.Equal(campaign, done?.CampaignId);

        var firings = await Store.ListFiringsAsync(s.Id, 10, default);
        Assert.Equal([T0.AddSeconds(10), T0], firings.Select(f => f.ScheduledAt));
        Assert.Equal(T0.AddSeconds(2), firings[1].CompletedAt);
        Assert.Single(await Store.ListFiringsAsync(s.Id, 1, default));
    }

    [Fact]
    public async Task Only_an_unfinished_claim_of_the_named_host_is_taken_over_or_released()
    {
        var s = New();
        await Store.CreateAsync(s, default);
        await Store.TryClaimFiringAsync(s.Id, T0, "dead", T0, default);

        Assert.False(await Store.TakeOverFiringAsync(s.Id, T0, "someone-else", "node-b", T0, default));
        Assert.True(await Store.TakeOverFiringAsync(s.Id, T0, "dead", "node-b", T0.AddSeconds(20), default));
        Assert.False(await Store.TakeOverFiringAsync(s.Id, T0, "dead", "node-c", T0.AddSeconds(20), default));
        Assert.Equal("node-b", (await Store.ListFiringsAsync(s.Id, 1, default)).Single().NodeId);

        await Store.ReleaseFiringAsync(s.Id, T0, "dead", default); // not the holder: nothing
        Assert.Single(await Store.ListFiringsAsync(s.Id, 10, default));
        await Store.ReleaseFiringAsync(s.Id, T0, "node-b", default);
        Assert.Empty(await Store.ListFiringsAsync(s.Id, 10, default));
        Assert.Null(await Store.TryClaimFiringAsync(s.Id, T0, "node-c", T0.AddSeconds(30), default));

        await Store.CompleteFiringAsync(s.Id, T0, HotGoodsFiringOutcome.NoGoods, null, null, "nothing", T0.AddSeconds(31), default);
        Assert.False(await Store.TakeOverFiringAsync(s.Id, T0, "node-c", "node-d", T0.AddSeconds(40), default));
        await Store.ReleaseFiringAsync(s.Id, T0, "node-c", default);
        Assert.Equal("nothing", (await Store.ListFiringsAsync(s.Id, 1, default)).Single().Detail);
    }

    [Fact]
    public async Task A_follow_up_draft_is_stored_with_its_schedule_and_a_firing_records_its_follow_up()
    {
        var followUp = new CampaignDraft("Thanks", "parents", "Thank you", "See you soon", ["sms", "email"], "low", 500, 200);
        var s = New() with { FollowUp = followUp };
        await Store.CreateAsync(s, default);
        await Store.CreateAsync(New(), default);

        var stored = (await Store.GetAsync(s.Id, default))!.FollowUp;
        Assert.NotNull(stored);
        Assert.Equal(followUp with { Channels = [] }, stored with { Channels = [] });
        Assert.Equal(["sms", "email"], stored.Channels);
        Assert.Single(await Store.ListAsync(default), x => x.FollowUp is not null);

        await Store.TryClaimFiringAsync(s.Id, T0, "node-a", T0, default);
        var (campaign, followUpId) = (Guid.NewGuid(), Guid.NewGuid());
        await Store.CompleteFiringAsync(s.Id, T0, HotGoodsFiringOutcome.Campaign, campaign, followUpId, null, T0.AddSeconds(1), default);
        var firing = (await Store.ListFiringsAsync(s.Id, 1, default)).Single();
        Assert.Equal((campaign, followUpId), (firing.CampaignId, firing.FollowUpId));
    }

    [Fact]
    public async Task Deleting_a_schedule_forgets_its_firings()
    {
        var s = New();
        await Store.CreateAsync(s, default);
        await Store.TryClaimFiringAsync(s.Id, T0, "node-a", T0, default);
        await Store.DeleteAsync(s.Id, default);
        Assert.Empty(await Store.ListFiringsAsync(s.Id, 10, default));
    }

    private sealed class ScheduleComparer : IEqualityComparer<HotGoodsSchedule?>
    {
        public static readonly ScheduleComparer Instance = new();

        public bool Equals(HotGoodsSchedule? x, HotGoodsSchedule? y) =>
            x is not null && y is not null && x with { Channels = [] } == y with { Channels = [] } && x.Channels.SequenceEqual(y.Channels);

        public int GetHashCode(HotGoodsSchedule? obj) => obj?.Id.GetHashCode() ?? 0;
    }
}
