using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.HotGoods;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Engine.Tests.HotGoods;

public sealed class HotGoodsFiringTests : IAsyncLifetime
{
    private readonly HotGoodsFixture _f = new();

    public Task InitializeAsync() => _f.SeedAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private Task<HotGoodsSchedule> CreateAsync(int topK = 2) => _f.CreateScheduleAsync(topK);

    [Fact]
    public async Task A_firing_ranks_the_segments_goods_and_starts_one_hot_goods_campaign_naming_them()
    {
        var schedule = await CreateAsync();

        var firing = await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: false, default);

        Assert.NotNull(firing);
        Assert.Equal(HotGoodsFiringOutcome.Campaign, firing.Outcome);
        var campaign = (await _f.Get<ICampaignStore>().GetAsync(firing.CampaignId!.Value, default))!;
        Assert.Equal(CampaignKind.HotGoods, campaign.Kind);
        Assert.Equal("gamers", campaign.Segment);
        Assert.Equal("Hot right now: Robot and 1 more", campaign.Message.Title);
        Assert.Contains("1. Robot (toys) - 49.00\n2. Kite (toys) - 9.99", campaign.Message.Body, StringComparison.Ordinal);
        using var payload = JsonDocument.Parse(campaign.Message.Payload!);
        var goods = payload.RootElement.GetProperty("goods").EnumerateArray().ToList();
        Assert.Equal([2L, 1L], goods.Select(g => g.GetProperty("productId").GetInt64()));
        Assert.Equal([58.0, 36.0], goods.Select(g => g.GetProperty("score").GetDouble()));
        Assert.Equal(schedule.Id, payload.RootElement.GetProperty("scheduleId").GetGuid());
        Assert.Single(_f.Started);
    }

    [Fact]
    public async Task The_same_firing_run_again_here_or_on_another_active_silo_starts_no_second_campaign()
    {
        var schedule = await CreateAsync();
        var firing = _f.Get<HotGoodsFiring>();
        Assert.NotNull(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        Assert.Null(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default));

        // Another host, same stores: its claim meets the finished record.
        var store = _f.Get<IHotGoodsSchedules>();
        Assert.NotNull(await store.TryClaimFiringAsync(schedule.Id, HotGoodsFixture.T0, "node-b", HotGoodsFixture.T0, default));
        Assert.Single(_f.Started);

        // The next period is a new firing.
        Assert.NotNull(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0.AddDays(1), false, default));
        Assert.Equal(2, _f.Started.Count);
        Assert.Equal(2, (await store.ListFiringsAsync(schedule.Id, 10, default)).Count);
    }

    [Fact]
    public async Task An_unfinished_firing_of_a_silo_not_active_in_the_cluster_is_taken_over_but_not_one_of_an_active_silo()
    {
        var schedule = await CreateAsync();
        var store = _f.Get<IHotGoodsSchedules>();
        var firing = _f.Get<HotGoodsFiring>();

        // node-b claimed and is an active silo: leave it, it may still be running.
        Assert.Null(await store.TryClaimFiringAsync(schedule.Id, HotGoodsFixture.T0, "node-b", HotGoodsFixture.T0, default));
        _f.Membership.Set(("node-a", SiloStatus.Active), ("node-b", SiloStatus.Active));
        Assert.Null(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default));
        Assert.Empty(_f.Started);

        // Shutting down (its grains deactivating) is not active either: the firing is taken over and run once.
        _f.Membership.Set(("node-a", SiloStatus.Active), ("node-b", SiloStatus.ShuttingDown));
        var taken = await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default);
        Assert.Equal(HotGoodsFiringOutcome.Campaign, taken?.Outcome);
        Assert.Equal("node-a", (await store.ListFiringsAsync(schedule.Id, 1, default)).Single().NodeId);
        Assert.Single(_f.Started);

        // A claim by a silo the membership does not know (dead and cleaned up, another cluster's) is taken over too.
        var later = HotGoodsFixture.T0.AddDays(1);
        Assert.Null(await store.TryClaimFiringAsync(schedule.Id, later, "node-gone", later, default));
        Assert.Equal(HotGoodsFiringOutcome.Campaign, (await firing.FireAsync(schedule.Id, later, recovering: true, default))?.Outcome);
        Assert.Equal(2, _f.Started.Count);
    }

    [Fact]
    public async Task A_follow_up_of_the_schedule_is_created_waiting_for_each_firings_campaign()
    {
        var followUp = new CampaignDraft("Thanks", "parents", "Thank you", "See you soon", ["sms"], "low", null, null);
        var schedule = await _f.CreateScheduleAsync(followUp: followUp);
        var firing = _f.Get<HotGoodsFiring>();

        var first = await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, false, default);
        var second = await firing.FireAsync(schedule.Id, HotGoodsFixture.T0.AddDays(1), false, default);

        var store = _f.Get<ICampaignStore>();
        foreach (var record in new[] { first, second })
        {
            Assert.Equal(HotGoodsFiringOutcome.Campaign, record?.Outcome);
            var waiting = (await store.GetAsync(record!.FollowUpId!.Value, default))!;
            Assert.Equal((CampaignKind.Push, CampaignStatus.Pending, record.CampaignId), (waiting.Kind, waiting.Status, waiting.AfterId));
            Assert.Equal(("Thanks", "parents", JobPriority.Low), (waiting.Name, waiting.Segment, waiting.Priority));
            Assert.Equal(record.FollowUpId, (await _f.Get<IHotGoodsSchedules>().ListFiringsAsync(schedule.Id, 10, default)).Single(f => f.ScheduledAt == record.ScheduledAt).FollowUpId);
        }

        Assert.NotEqual(first!.FollowUpId, second!.FollowUpId);
        Assert.Equal(4, _f.Started.Count);
    }

    [Fact]
    public async Task A_firing_re_run_after_its_record_was_lost_finds_its_campaign_and_follow_up_instead_of_creating_them_again()
    {
        // The first run creates both campaigns, then cannot record the firing (its database call fails,
        // as when the host dies at that moment); the re-run must not push the segment twice.
        await using var f = new HotGoodsFixture(replace: services =>
            services.AddSingleton<IHotGoodsSchedules>(new FailingFirstCompletion(new InMemoryHotGoodsSchedules())));
        await f.SeedAsync();
        var followUp = new CampaignDraft("Thanks", null, "Thank you", "See you soon", ["sms"], null, null, null);
        var schedule = await f.CreateScheduleAsync(followUp: followUp, channels: [Channel.App]);
        var firing = f.Get<HotGoodsFiring>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => firing.FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        var created = (await f.Get<ICampaignStore>().ListAsync(new CampaignQuery(null, null, 1, 10), default)).Items;
        Assert.Equal(2, created.Count);

        var rerun = await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default);

        Assert.Equal(HotGoodsFiringOutcome.Campaign, rerun?.Outcome);
        var all = (await f.Get<ICampaignStore>().ListAsync(new CampaignQuery(null, null, 1, 10), default)).Items;
        Assert.Equal(created.Select(c => c.Id).Order(), all.Select(c => c.Id).Order());
        Assert.Equal(all.Single(c => c.Kind == CampaignKind.HotGoods).Id, rerun!.CampaignId);
        Assert.Equal(all.Single(c => c.Kind == CampaignKind.Push).Id, rerun.FollowUpId);
    }

    [Fact]
    public async Task A_segment_whose_categories_have_no_statistics_in_the_window_records_no_goods()
    {
        var schedule = await CreateAsync();
        // Statistics stop at T0; ten days later the 7-day window is empty.
        var firing = await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0.AddDays(10), false, default);
        Assert.Equal(HotGoodsFiringOutcome.NoGoods, firing?.Outcome);
        Assert.Contains("no product of toys", firing!.Detail, StringComparison.Ordinal);
        Assert.Empty(_f.Started);
    }

    [Fact]
    public async Task A_paused_or_deleted_schedule_pushes_nothing_when_a_firing_still_arrives()
    {
        var store = _f.Get<IHotGoodsSchedules>();
        var schedule = await CreateAsync();
        await store.SetStatusAsync(schedule.Id, HotGoodsScheduleStatus.Active, HotGoodsScheduleStatus.Paused, HotGoodsFixture.T0, default);
        Assert.Null(await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        await store.DeleteAsync(schedule.Id, default);
        Assert.Null(await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        Assert.Empty(_f.Started);
    }

    private sealed class FailingFirstCompletion(IHotGoodsSchedules inner) : IHotGoodsSchedules
    {
        private int _completions;

        public Task CreateAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken) => inner.CreateAsync(schedule, cancellationToken);

        public Task<HotGoodsSchedule?> GetAsync(Guid id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public Task<IReadOnlyList<HotGoodsSchedule>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<HotGoodsSchedule?> SetStatusAsync(Guid id, HotGoodsScheduleStatus from, HotGoodsScheduleStatus to, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.SetStatusAsync(id, from, to, now, cancellationToken);

        public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken) => inner.DeleteAsync(id, cancellationToken);

        public Task<HotGoodsFiringRecord?> TryClaimFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.TryClaimFiringAsync(scheduleId, scheduledAt, nodeId, now, cancellationToken);

        public Task<bool> TakeOverFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string fromNode, string toNode, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.TakeOverFiringAsync(scheduleId, scheduledAt, fromNode, toNode, now, cancellationToken);

        public Task CompleteFiringAsync(
            Guid scheduleId, DateTimeOffset scheduledAt, HotGoodsFiringOutcome outcome, Guid? campaignId, Guid? followUpId, string? detail, DateTimeOffset now, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _completions) == 1
                ? throw new InvalidOperationException("database gone")
                : inner.CompleteFiringAsync(scheduleId, scheduledAt, outcome, campaignId, followUpId, detail, now, cancellationToken);

        public Task ReleaseFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, CancellationToken cancellationToken) =>
            inner.ReleaseFiringAsync(scheduleId, scheduledAt, nodeId, cancellationToken);

        public Task<IReadOnlyList<HotGoodsFiringRecord>> ListFiringsAsync(Guid scheduleId, int limit, CancellationToken cancellationToken) =>
            inner.ListFiringsAsync(scheduleId, limit, cancellationToken);
    }
}
