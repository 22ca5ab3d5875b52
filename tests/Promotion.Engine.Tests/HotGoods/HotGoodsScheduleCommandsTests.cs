using Promotion.Domain.Campaigns;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Cluster;
using Promotion.Engine.HotGoods;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.HotGoods;

/// <summary>What operators do to schedules, on a one-silo cluster: the row and the schedule's grain (reminder, timer) move together.</summary>
public sealed class HotGoodsScheduleCommandsTests : IAsyncLifetime
{
    private HotGoodsCluster _c = null!;

    private HotGoodsScheduleCommands Commands => _c.Get<HotGoodsScheduleCommands>();

    public async Task InitializeAsync() => _c = await HotGoodsCluster.StartAsync([GrainCluster.AllRoles]);

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task A_schedule_is_stored_started_listed_paused_resumed_and_deleted_with_its_reminder()
    {
        var created = await Commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 ? * MON", 5, "Europe/Berlin", null), default);
        var id = created.Schedule.Id;
        Assert.Equal("Europe/Berlin", created.Schedule.TimeZone);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var next = TimeZoneInfo.ConvertTime(created.NextFireTime!.Value, berlin);
        Assert.Equal((DayOfWeek.Monday, 10, 0), (next.DayOfWeek, next.Hour, next.Minute));
        Assert.True(await _c.HasReminderAsync(id));
        await Eventually.TrueAsync(async () => await _c.Grain(id).GetArmedForAsync() == created.NextFireTime, TimeSpan.FromSeconds(10), "the timer armed for the next Monday 10:00");

        var paused = await Commands.PauseAsync(id, default);
        Assert.Equal(HotGoodsScheduleStatus.Paused, paused.Schedule.Status);
        Assert.Null(paused.NextFireTime);
        Assert.False(await _c.HasReminderAsync(id));
        Assert.Null(await _c.Grain(id).GetArmedForAsync());
        var twice = await Assert.ThrowsAsync<IllegalTransitionException>(() => Commands.PauseAsync(id, default));
        Assert.Contains("Paused", twice.Message, StringComparison.Ordinal);

        var resumed = await Commands.ResumeAsync(id, default);
        Assert.Equal((HotGoodsScheduleStatus.Active, created.NextFireTime), (resumed.Schedule.Status, resumed.NextFireTime));
        Assert.True(await _c.HasReminderAsync(id));
        await Assert.ThrowsAsync<IllegalTransitionException>(() => Commands.ResumeAsync(id, default));
        Assert.Equal(created.NextFireTime, Assert.Single(await Commands.ListAsync(default)).NextFireTime);

        await Commands.DeleteAsync(id, default);
        Assert.False(await _c.HasReminderAsync(id));
        Assert.Empty(await Commands.ListAsync(default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Commands.GetAsync(id, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Commands.DeleteAsync(id, default));
    }

    [Fact]
    public async Task Bad_cron_unknown_segment_and_a_segment_without_categories_are_refused_by_field()
    {
        var bad = await Assert.ThrowsAsync<CampaignValidationException>(() => Commands.CreateAsync(new HotGoodsScheduleDraft("nobody", "* * *", 5, null, null), default));
        Assert.Equal(["cron", "segment"], bad.Errors.Select(e => e.Field));
        var year = await Assert.ThrowsAsync<CampaignValidationException>(() => Commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 * * ? 2030", 5, null, null), default));
        Assert.Contains("year", Assert.Single(year.Errors, e => e.Field == "cron").Message, StringComparison.Ordinal);
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

/// <summary>A cluster with no scheduler silo cannot start a schedule's grain: the schedule is refused and not kept.</summary>
public sealed class HotGoodsScheduleWithoutSchedulerTests : IAsyncLifetime
{
    private HotGoodsCluster _c = null!;

    public async Task InitializeAsync() => _c = await HotGoodsCluster.StartAsync([[SiloRoles.Api, SiloRoles.Worker]]);

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task A_schedule_no_silo_can_host_is_not_kept()
    {
        var commands = _c.Get<HotGoodsScheduleCommands>();
        await Assert.ThrowsAnyAsync<Exception>(() => commands.CreateAsync(new HotGoodsScheduleDraft("gamers", "0 0 10 * * ?", 5, null, null), default));
        Assert.Empty(await commands.ListAsync(default));
    }
}
