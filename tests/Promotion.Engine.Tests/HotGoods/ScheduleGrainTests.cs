using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Cluster;
using Promotion.Engine.HotGoods;
using Promotion.TestSupport;
using Xunit.Abstractions;

namespace Promotion.Engine.Tests.HotGoods;

/// <summary>
/// Schedule grains on an in-process cluster of an api silo (the primary, never killed) and two
/// scheduler silos: sub-minute cadence through the grain timer, one campaign per occurrence whatever
/// repeats it, a tick after the reminder was lost, and a scheduler silo killed.
/// </summary>
public sealed class ScheduleGrainTests(ITestOutputHelper output) : IAsyncLifetime
{
    internal const string EveryTwoSeconds = "0/2 * * * * ?";
    internal static readonly string[] ApiOnly = [SiloRoles.Api];
    internal static readonly string[] Scheduler = [SiloRoles.Scheduler];

    private HotGoodsCluster _c = null!;

    public async Task InitializeAsync() => _c = await HotGoodsCluster.StartAsync([ApiOnly, Scheduler, Scheduler]);

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task A_schedule_shorter_than_a_minute_fires_each_occurrence_at_its_second_with_one_campaign_each()
    {
        var schedule = await _c.CreateAsync(EveryTwoSeconds);

        var firings = await _c.WaitForFiringsAsync(schedule.Id, 4);

        Assert.All(firings.Zip(firings.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(2), p.Second.ScheduledAt - p.First.ScheduledAt));
        Assert.All(firings, f => Assert.Equal(0, f.ScheduledAt.Millisecond));
        Assert.All(firings, f => Assert.True(f.ClaimedAt >= f.ScheduledAt, $"fired at {f.ClaimedAt:O} before its occurrence {f.ScheduledAt:O}"));
        Assert.All(firings, f => Assert.Equal(HotGoodsFiringOutcome.Campaign, f.Outcome));
        Assert.Contains(firings[0].NodeId, _c.Cluster.Silos.Select(s => s.Name));
        await _c.AssertOneCampaignPerFiringAsync(schedule.Id);
        Assert.True(await _c.HasReminderAsync(schedule.Id));
    }

    [Fact]
    public async Task Reminder_ticks_wakes_and_a_second_activation_firing_the_same_occurrences_start_nothing_twice()
    {
        var schedule = await _c.CreateAsync(EveryTwoSeconds);
        var grain = _c.Grain(schedule.Id);
        var firstFiring = await _c.WaitForFiringsAsync(schedule.Id, 1);
        var host = firstFiring[0].NodeId;
        // The other scheduler silo's firing stands for a second activation of the grain (a partition).
        var other = _c.Cluster.Silos.Single(s => s.Name != host && _c.Cluster.RolesOf(s.SiloAddress).SequenceEqual(Scheduler));
        var secondActivation = GrainCluster.ServiceOf<HotGoodsFiring>(other);
        var cron = HotGoodsCron.Parse(EveryTwoSeconds);
        var tick = new TickStatus(DateTime.UtcNow, TimeSpan.FromMinutes(1), DateTime.UtcNow);
        var repeats = new ConcurrentBag<Task>();

        // For the next three occurrences: the moment each is due, repeat it from everywhere at once.
        var occurrence = cron.NextAfter(DateTimeOffset.UtcNow, TimeZoneInfo.Utc)!.Value;
        for (var i = 0; i < 3; i++, occurrence = occurrence.AddSeconds(2))
        {
            var due = occurrence;
            await Eventually.TrueAsync(() => DateTimeOffset.UtcNow >= due, TimeSpan.FromSeconds(10), $"{due:O} to come");
            repeats.Add(secondActivation.FireAsync(schedule.Id, due, recovering: false, default));
            repeats.Add(grain.AsReference<IRemindable>().ReceiveReminder(ScheduleGrain.ReminderName, tick));
            repeats.Add(grain.WakeAsync());
            repeats.Add(secondActivation.FireAsync(schedule.Id, due, recovering: true, default));
        }

        await Task.WhenAll(repeats);
        var firings = await _c.WaitForFiringsAsync(schedule.Id, firstFiring.Count + 3);
        Assert.Equal(firings.Count, firings.Select(f => f.ScheduledAt).Distinct().Count());
        await _c.AssertOneCampaignPerFiringAsync(schedule.Id);
        output.WriteLine($"{firings.Count} firings by {string.Join(", ", firings.Select(f => f.NodeId).Distinct())}");
    }

    [Fact]
    public async Task A_reminder_tick_brings_back_a_schedule_whose_grain_never_started_and_registers_the_lost_reminder()
    {
        // As after a restart that lost the reminder table: the row is there, no reminder, no activation.
        var now = DateTimeOffset.UtcNow;
        var schedule = new HotGoodsSchedule(Guid.NewGuid(), "gamers", EveryTwoSeconds, "UTC", 2, [Channel.Inbox], HotGoodsScheduleStatus.Active, now, now);
        await _c.Schedules.CreateAsync(schedule, default);
        Assert.False(await _c.HasReminderAsync(schedule.Id));

        await _c.Grain(schedule.Id).AsReference<IRemindable>().ReceiveReminder(ScheduleGrain.ReminderName, new TickStatus(now.UtcDateTime, TimeSpan.FromMinutes(1), now.UtcDateTime));

        var firings = await _c.WaitForFiringsAsync(schedule.Id, 2);
        Assert.All(firings.Zip(firings.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(2), p.Second.ScheduledAt - p.First.ScheduledAt));
        await Eventually.TrueAsync(() => _c.HasReminderAsync(schedule.Id), TimeSpan.FromSeconds(10), "the reminder registered again");
    }

    [Fact]
    public async Task When_the_silo_running_a_schedule_is_killed_the_other_scheduler_silo_carries_on_and_finishes_its_unfinished_firing()
    {
        var schedule = await _c.CreateAsync(EveryTwoSeconds);
        var before = await _c.WaitForFiringsAsync(schedule.Id, 2);
        var victim = _c.Silo(before[^1].NodeId);
        var survivor = _c.Cluster.Silos.Single(s => s.Name != victim.Name && _c.Cluster.RolesOf(s.SiloAddress).SequenceEqual(Scheduler));

        // The victim dies in the middle of a firing: its claim, never finished, is in the firings table.
        var interrupted = before[^1].ScheduledAt.AddSeconds(1);
        Assert.Null(await _c.Schedules.TryClaimFiringAsync(schedule.Id, interrupted, victim.Name, DateTimeOffset.UtcNow, default));
        // While the victim is an active silo, nobody takes its claim over.
        Assert.Null(await GrainCluster.ServiceOf<HotGoodsFiring>(survivor).FireAsync(schedule.Id, interrupted, recovering: true, default));

        await _c.Cluster.KillSiloAsync(victim);
        var killedAt = DateTimeOffset.UtcNow;

        IReadOnlyList<HotGoodsFiringRecord> firings = [];
        await Eventually.TrueAsync(async () =>
        {
            firings = await _c.FiringsAsync(schedule.Id);
            return firings.Count(f => f.ScheduledAt > killedAt) >= 2;
        }, TimeSpan.FromSeconds(90), "two firings after the kill");

        var taken = Assert.Single(firings, f => f.ScheduledAt == interrupted);
        Assert.Equal((survivor.Name, HotGoodsFiringOutcome.Campaign), (taken.NodeId, taken.Outcome));
        Assert.All(firings.Where(f => f.ScheduledAt > killedAt), f => Assert.Equal(survivor.Name, f.NodeId));
        await _c.AssertOneCampaignPerFiringAsync(schedule.Id);
        var gaps = firings.Where(f => f.ScheduledAt != interrupted).Zip(firings.Where(f => f.ScheduledAt != interrupted).Skip(1), (a, b) => b.ScheduledAt - a.ScheduledAt);
        output.WriteLine($"killed {victim.Name} at {killedAt:HH:mm:ss.fff}; largest gap between firings {gaps.Max().TotalSeconds:0} s; " +
            string.Join(", ", firings.Select(f => $"{f.ScheduledAt:HH:mm:ss}@{f.NodeId}")));
    }
}

/// <summary>Pause and resume with a misfire threshold below the 2-second period, as the README asks.</summary>
public sealed class ScheduleMisfireTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string EveryTwoSeconds = ScheduleGrainTests.EveryTwoSeconds;

    private HotGoodsCluster _c = null!;

    public async Task InitializeAsync() =>
        _c = await HotGoodsCluster.StartAsync([ScheduleGrainTests.ApiOnly, ScheduleGrainTests.Scheduler], new() { ["HotGoods:MisfireThreshold"] = "00:00:01.500" });

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task Paused_a_schedule_drops_its_reminder_and_timer_and_resumed_fires_once_for_what_it_missed_then_keeps_its_cadence()
    {
        var commands = _c.Get<HotGoodsScheduleCommands>();
        var schedule = await _c.CreateAsync(EveryTwoSeconds);
        await _c.WaitForFiringsAsync(schedule.Id, 1);

        await commands.PauseAsync(schedule.Id, default);
        var pausedAt = DateTimeOffset.UtcNow;
        Assert.False(await _c.HasReminderAsync(schedule.Id));
        Assert.Null(await _c.Grain(schedule.Id).GetArmedForAsync());
        var beforePause = await _c.FiringsAsync(schedule.Id);

        // Paused over three occurrences and more than the threshold past the last of them.
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > pausedAt.AddSeconds(7), TimeSpan.FromSeconds(15), "three periods paused");
        Assert.Equal(beforePause.Count, (await _c.FiringsAsync(schedule.Id)).Count);
        var resumedAt = DateTimeOffset.UtcNow;
        await commands.ResumeAsync(schedule.Id, default);
        Assert.True(await _c.HasReminderAsync(schedule.Id));

        var firings = await _c.WaitForFiringsAsync(schedule.Id, beforePause.Count + 3);
        var after = firings.Skip(beforePause.Count).ToList();
        var catchUp = after[0];
        output.WriteLine($"last before pause {beforePause[^1].ScheduledAt:HH:mm:ss.fff}, paused {pausedAt:HH:mm:ss.fff}, resumed {resumedAt:HH:mm:ss.fff}, " +
            $"catch-up for {catchUp.ScheduledAt:HH:mm:ss.fff} claimed {catchUp.ClaimedAt:HH:mm:ss.fff}, then {string.Join(", ", after.Skip(1).Select(f => f.ScheduledAt.ToString("HH:mm:ss", null)))}");
        // One firing for the three or more missed occurrences, none of them replayed: it stands for the latest
        // (its occurrence at most a period and the threshold before the resume), then every 2 seconds.
        Assert.True(catchUp.ClaimedAt >= resumedAt);
        Assert.True(catchUp.ScheduledAt - beforePause[^1].ScheduledAt >= TimeSpan.FromSeconds(6), "missed occurrences were replayed");
        Assert.True(catchUp.ScheduledAt >= resumedAt.AddSeconds(-3.5), $"the catch-up stands for the latest missed occurrence, not {catchUp.ScheduledAt:O}");
        Assert.All(after.Zip(after.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(2), p.Second.ScheduledAt - p.First.ScheduledAt));
        await _c.AssertOneCampaignPerFiringAsync(schedule.Id);
    }
}
