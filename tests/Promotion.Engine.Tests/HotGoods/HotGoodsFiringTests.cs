using System.Text.Json;
using Promotion.Domain.Campaigns;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.HotGoods;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Tests.HotGoods;

public sealed class HotGoodsFiringTests : IAsyncLifetime
{
    private readonly HotGoodsFixture _f = new();

    public Task InitializeAsync() => _f.SeedAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private Task<HotGoodsScheduleView> CreateAsync(int topK = 2) =>
        _f.Get<HotGoodsScheduleCommands>().CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 * * ?", topK, null, ["inbox"]), default);

    [Fact]
    public async Task A_firing_ranks_the_segments_goods_and_starts_one_hot_goods_campaign_naming_them()
    {
        var schedule = (await CreateAsync()).Schedule;

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
        Assert.Single(_f.Dispatcher.Sent.OfType<PlanCampaign>());
    }

    [Fact]
    public async Task The_same_firing_run_again_here_or_on_another_live_host_starts_no_second_campaign()
    {
        var schedule = (await CreateAsync()).Schedule;
        var firing = _f.Get<HotGoodsFiring>();
        Assert.NotNull(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        Assert.Null(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default));

        // Another host, same stores: its claim meets the finished record.
        var store = _f.Get<IHotGoodsSchedules>();
        Assert.NotNull(await store.TryClaimFiringAsync(schedule.Id, HotGoodsFixture.T0, "node-b", HotGoodsFixture.T0, default));
        Assert.Single(_f.Dispatcher.Sent.OfType<PlanCampaign>());

        // The next period is a new firing.
        Assert.NotNull(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0.AddDays(1), false, default));
        Assert.Equal(2, _f.Dispatcher.Sent.OfType<PlanCampaign>().Count());
        Assert.Equal(2, (await store.ListFiringsAsync(schedule.Id, 10, default)).Count);
    }

    [Fact]
    public async Task An_unfinished_firing_of_a_dead_host_is_taken_over_but_not_one_of_a_live_host()
    {
        var schedule = (await CreateAsync()).Schedule;
        var store = _f.Get<IHotGoodsSchedules>();
        var firing = _f.Get<HotGoodsFiring>();

        // node-live claimed and is still beating: leave it.
        Assert.Null(await store.TryClaimFiringAsync(schedule.Id, HotGoodsFixture.T0, "node-live", HotGoodsFixture.T0, default));
        await _f.Get<INodeRegistry>().BeatAsync(new NodeHeartbeat("node-live", ["scheduler"], HotGoodsFixture.T0, 0, 0), TimeSpan.FromSeconds(10), default);
        Assert.Null(await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default));
        Assert.Empty(_f.Dispatcher.Sent);

        // It stops beating (killed): the recovery run takes the firing over and starts the campaign.
        _f.Time.Advance(TimeSpan.FromSeconds(11));
        var taken = await firing.FireAsync(schedule.Id, HotGoodsFixture.T0, recovering: true, default);
        Assert.Equal(HotGoodsFiringOutcome.Campaign, taken?.Outcome);
        Assert.Equal("node-a", (await store.ListFiringsAsync(schedule.Id, 1, default)).Single().NodeId);
        Assert.Single(_f.Dispatcher.Sent.OfType<PlanCampaign>());
    }

    [Fact]
    public async Task A_segment_whose_categories_have_no_statistics_in_the_window_records_no_goods()
    {
        var schedule = (await CreateAsync()).Schedule;
        // Statistics stop at T0; ten days later the 7-day window is empty.
        var firing = await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0.AddDays(10), false, default);
        Assert.Equal(HotGoodsFiringOutcome.NoGoods, firing?.Outcome);
        Assert.Contains("no product of toys", firing!.Detail, StringComparison.Ordinal);
        Assert.Empty(_f.Dispatcher.Sent);
    }

    [Fact]
    public async Task A_paused_or_deleted_schedule_pushes_nothing_when_a_firing_still_arrives()
    {
        var commands = _f.Get<HotGoodsScheduleCommands>();
        var schedule = (await CreateAsync()).Schedule;
        await commands.PauseAsync(schedule.Id, default);
        Assert.Null(await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        await commands.DeleteAsync(schedule.Id, default);
        Assert.Null(await _f.Get<HotGoodsFiring>().FireAsync(schedule.Id, HotGoodsFixture.T0, false, default));
        Assert.Empty(_f.Dispatcher.Sent);
        Assert.Empty(_f.Triggers.State);
    }
}
