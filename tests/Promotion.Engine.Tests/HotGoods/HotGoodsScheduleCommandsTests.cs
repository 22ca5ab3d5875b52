using Promotion.Domain.Campaigns;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.HotGoods;

namespace Promotion.Engine.Tests.HotGoods;

public sealed class HotGoodsScheduleCommandsTests : IAsyncLifetime
{
    private readonly HotGoodsFixture _f = new();

    private HotGoodsScheduleCommands Commands => _f.Get<HotGoodsScheduleCommands>();

    public Task InitializeAsync() => _f.SeedAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task A_schedule_is_stored_scheduled_listed_paused_resumed_and_deleted()
    {
        var created = await Commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 ? * MON", 5, "Europe/Berlin", null), default);
        Assert.Equal("scheduled", _f.Triggers.State[created.Schedule.Id]);
        Assert.Equal(HotGoodsFixture.T0.AddHours(1), created.NextFireTime);
        Assert.Equal("Europe/Berlin", created.Schedule.TimeZone);

        var paused = await Commands.PauseAsync(created.Schedule.Id, default);
        Assert.Equal(HotGoodsScheduleStatus.Paused, paused.Schedule.Status);
        Assert.Null(paused.NextFireTime);
        var twice = await Assert.ThrowsAsync<IllegalTransitionException>(() => Commands.PauseAsync(created.Schedule.Id, default));
        Assert.Contains("Paused", twice.Message, StringComparison.Ordinal);

        Assert.Equal(HotGoodsScheduleStatus.Active, (await Commands.ResumeAsync(created.Schedule.Id, default)).Schedule.Status);
        await Assert.ThrowsAsync<IllegalTransitionException>(() => Commands.ResumeAsync(created.Schedule.Id, default));
        Assert.Single(await Commands.ListAsync(default));

        await Commands.DeleteAsync(created.Schedule.Id, default);
        Assert.Empty(await Commands.ListAsync(default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Commands.GetAsync(created.Schedule.Id, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Commands.DeleteAsync(created.Schedule.Id, default));
    }

    [Fact]
    public async Task Bad_cron_unknown_segment_and_a_segment_without_categories_are_refused_by_field()
    {
        var bad = await Assert.ThrowsAsync<CampaignValidationException>(() => Commands.CreateAsync(new HotGoodsScheduleDraft("nobody", "* * *", 5, null, null), default));
        Assert.Equal(["cron", "segment"], bad.Errors.Select(e => e.Field));
        var empty = await Assert.ThrowsAsync<CampaignValidationException>(() => Commands.CreateAsync(new HotGoodsScheduleDraft("parents", "0 0 10 * * ?", 5, null, null), default));
        Assert.Contains("has no categories", Assert.Single(empty.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(await Commands.ListAsync(default));
    }

    [Fact]
    public async Task A_follow_up_is_validated_under_followUp_and_kept_with_the_schedule()
    {
        var badFollowUp = new CampaignDraft("Thanks", "nobody", null, "body", ["app"], null, 0, null);
        var bad = await Assert.ThrowsAsync<CampaignValidationException>(() =>
            Commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 * * ?", 5, null, null, badFollowUp), default));
        Assert.Equal(["followUp.message.title", "followUp.shardSize", "followUp.audience.segment"], bad.Errors.Select(e => e.Field));
        Assert.Empty(await Commands.ListAsync(default));

        var followUp = badFollowUp with { Segment = "parents", Title = "Thanks", ShardSize = null };
        var created = await Commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 * * ?", 5, null, null, followUp), default);
        Assert.Equal(followUp, (await Commands.GetAsync(created.Schedule.Id, default)).Schedule.FollowUp);
    }

    [Fact]
    public async Task A_schedule_the_scheduler_refuses_is_not_kept()
    {
        _f.Triggers.FailNext = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 * * ?", 5, null, null), default));
        Assert.Empty(await Commands.ListAsync(default));
    }

    [Fact]
    public async Task Segment_categories_are_replaced_normalized_and_checked_against_the_catalog()
    {
        Assert.Equal(["books", "toys"], await Commands.SetSegmentCategoriesAsync("parents", [" toys", "books", "toys"], default));
        Assert.Equal(["books", "toys"], await Commands.GetSegmentCategoriesAsync("parents", default));

        var unknown = await Assert.ThrowsAsync<CampaignValidationException>(() => Commands.SetSegmentCategoriesAsync("parents", ["toys", "garden"], default));
        Assert.Equal("categories[1]", Assert.Single(unknown.Errors).Field);
        var noSegment = await Assert.ThrowsAsync<CampaignValidationException>(() => Commands.SetSegmentCategoriesAsync("nobody", ["toys"], default));
        Assert.Equal("segment", Assert.Single(noSegment.Errors).Field);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Commands.GetSegmentCategoriesAsync("nobody", default));

        Assert.Empty(await Commands.SetSegmentCategoriesAsync("parents", [], default));
        Assert.Equal(["books", "toys"], await Commands.SetSegmentCategoriesAsync("parents", ["books", "toys"], default));
    }
}
