using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// One hot-goods schedule on the scheduler silos. Each run reads the schedule row and its latest
/// firings (the firings table is the one record of what fired), fires what is due through
/// <see cref="HotGoodsFiring"/> and arms a grain timer for the next occurrence, so schedules shorter
/// than a minute keep their cadence. The reminder, ticking every minute, is the backstop: it
/// reactivates the grain after a restart or on another silo after its silo died, and each tick runs
/// the schedule again. Whatever repeats a run (tick and timer together, a second activation during
/// a partition) meets the firing's claim, so an occurrence fires once.
/// </summary>
[SiloRole(SiloRoles.Scheduler)]
internal sealed partial class ScheduleGrain(
    IHotGoodsSchedules schedules,
    HotGoodsFiring firing,
    IOptions<HotGoodsOptions> options,
    TimeProvider time,
    ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain, IRemindable
{
    /// <summary>The reminder's name (the Orleans Dashboard lists it with the schedule id as the grain key).</summary>
    public const string ReminderName = "hot-goods-schedule";

    // Orleans' shortest reminder period: the backstop looks at most a minute late.
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    // Grain timers take at most about 49 days; a later occurrence is armed by a later run (one a minute).
    private static readonly TimeSpan LongestArm = TimeSpan.FromDays(1);

    // Enough to find a firing left unfinished by a silo that died, however short the period.
    private const int RecentFiringsRead = 10;

    private IGrainTimer? _timer;
    private DateTimeOffset? _armedFor;
    private bool _reminderKnown;
    private HotGoodsSchedule? _lastRead;

    private Guid ScheduleId => this.GetPrimaryKey();

    public async Task StartAsync()
    {
        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        _reminderKnown = true;
        RunNow();
    }

    public async Task StopAsync()
    {
        StopTimer();
        await DropReminderAsync();
    }

    public Task WakeAsync()
    {
        RunNow();
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> GetArmedForAsync() => Task.FromResult(_armedFor);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // This activation may be new (restart, dead silo) or the timer may have missed (a failed run): look now.
        RunNow();
        return Task.CompletedTask;
    }

    private void RunNow() => Arm(time.GetUtcNow());

    private void Arm(DateTimeOffset at)
    {
        var due = at - time.GetUtcNow();
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due > LongestArm ? LongestArm : due;
        // One one-shot timer, re-armed by each run; not interleaved, so runs never overlap each other or a call.
        _timer ??= this.RegisterGrainTimer(RunAsync, new GrainTimerCreationOptions
        {
            DueTime = Timeout.InfiniteTimeSpan,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
        _timer.Change(due, Timeout.InfiniteTimeSpan);
        _armedFor = at;
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
        _armedFor = null;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        _armedFor = null;
        try
        {
            if (await FireDueAsync(cancellationToken) is { } next)
            {
                Arm(next);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The database is away or a firing failed (its claim was given back): keep the cadence if the
            // schedule is known; a failed occurrence fires at the next run, on time or as the catch-up.
            LogRunFailed(logger, ScheduleId, ex);
            if (_lastRead is { } known && known.TryReadTiming(out var cron, out var zone, out _) && cron.NextAfter(time.GetUtcNow(), zone) is { } next)
            {
                Arm(next);
            }
        }
    }

    // Returns when to run next; null when the schedule no longer fires.
    private async Task<DateTimeOffset?> FireDueAsync(CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(ScheduleId, cancellationToken);
        _lastRead = schedule;
        if (schedule is null)
        {
            // Deleted (its delete may have failed between the reminder and the row): nothing to keep.
            LogGone(logger, ScheduleId);
            StopTimer();
            await DropReminderAsync();
            DeactivateOnIdle();
            return null;
        }

        if (schedule.Status == HotGoodsScheduleStatus.Paused)
        {
            StopTimer();
            await DropReminderAsync();
            return null;
        }

        if (!schedule.TryReadTiming(out var cron, out var zone, out var problem))
        {
            // Stored before its syntax was refused (a Quartz year field): the operator must replace it.
            LogUnreadable(logger, ScheduleId, schedule.Cron, schedule.TimeZone, problem);
            StopTimer();
            return null;
        }

        if (!_reminderKnown)
        {
            await EnsureReminderAsync();
        }

        var recent = await schedules.ListFiringsAsync(ScheduleId, RecentFiringsRead, cancellationToken);
        // A firing claimed but never finished (its silo died mid-run): run it again; the claim decides whether to take it over.
        foreach (var unfinished in recent.Where(f => f.Outcome is null).OrderBy(f => f.ScheduledAt))
        {
            await firing.FireAsync(ScheduleId, unfinished.ScheduledAt, recovering: true, cancellationToken);
        }

        var lastFired = recent.Count > 0 ? recent.Max(f => f.ScheduledAt) : schedule.CreatedAt;
        var due = cron.Due(lastFired, time.GetUtcNow(), options.Value.MisfireThreshold, zone);
        if (due.Missed > 0)
        {
            LogMissed(logger, ScheduleId, due.Missed, due.FirstMissed!.Value, due.LastMissed!.Value, due.ToFire[0]);
        }

        foreach (var occurrence in due.ToFire)
        {
            await firing.FireAsync(ScheduleId, occurrence, recovering: false, cancellationToken);
            lastFired = occurrence;
        }

        // From the last occurrence handled, not from now: one that came while firing runs at once.
        return cron.NextAfter(lastFired, zone);
    }

    // A reminder lost on the way (its registration failed, or the table was restored) is put back by the first run.
    private async Task EnsureReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is null)
        {
            await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
            LogReminderRestored(logger, ScheduleId);
        }

        _reminderKnown = true;
    }

    private async Task DropReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminderKnown = false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hot-goods schedule {ScheduleId} missed {Missed} occurrences from {FirstMissed:o} to {LastMissed:o} while it was not running; it fires once, for {CatchUp:o}")]
    private static partial void LogMissed(ILogger logger, Guid scheduleId, int missed, DateTimeOffset firstMissed, DateTimeOffset lastMissed, DateTimeOffset catchUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hot-goods schedule {ScheduleId} could not run; it runs again at its next occurrence or reminder tick")]
    private static partial void LogRunFailed(ILogger logger, Guid scheduleId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot-goods schedule {ScheduleId} no longer exists; its reminder is dropped")]
    private static partial void LogGone(ILogger logger, Guid scheduleId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hot-goods schedule {ScheduleId} does not fire: its cron '{Cron}' in {TimeZone} cannot be read ({Problem}); delete it and create it again")]
    private static partial void LogUnreadable(ILogger logger, Guid scheduleId, string cron, string timeZone, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hot-goods schedule {ScheduleId} had no reminder; registered it again")]
    private static partial void LogReminderRestored(ILogger logger, Guid scheduleId);
}
