using Promotion.Engine.HotGoods;
using Quartz;

namespace Promotion.Infrastructure.Quartz;

/// <summary>
/// Hot-goods schedules as Quartz jobs, one durable job and one cron trigger per schedule, in the
/// schedule's time zone. Missed periods (downtime, pause) fire once, then the cron resumes:
/// <see cref="CronTriggerMisfireInstruction.FireAndProceed"/>, chosen over a policy that replays
/// every missed period.
/// </summary>
internal sealed class QuartzHotGoodsTriggers(ISchedulerFactory factory, TimeProvider time) : IHotGoodsTriggers
{
    private const string Group = "hot-goods";

    public string? ExplainCron(string cron)
    {
        try
        {
            var expression = new CronExpression(cron);
            return expression.GetNextValidTimeAfter(time.GetUtcNow()) is null ? "it never fires again" : null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return ex.Message;
        }
    }

    public async Task ScheduleAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var scheduler = await factory.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<HotGoodsFiringJob>()
            .WithIdentity(JobKeyOf(schedule.Id))
            .WithDescription($"hot goods for segment {schedule.Segment}")
            .UsingJobData(HotGoodsFiringJob.ScheduleIdKey, schedule.Id.ToString())
            // A firing whose host dies mid-run is run again elsewhere; the engine's claim keeps it to one campaign.
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKeyOf(schedule.Id))
            .ForJob(job)
            .WithSchedule(CronScheduleBuilder.Create(schedule.Cron)
                .InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone))
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken);
    }

    public async Task PauseAsync(Guid scheduleId, CancellationToken cancellationToken) =>
        await (await factory.GetScheduler(cancellationToken)).PauseJob(JobKeyOf(scheduleId), cancellationToken);

    public async Task ResumeAsync(Guid scheduleId, CancellationToken cancellationToken) =>
        await (await factory.GetScheduler(cancellationToken)).ResumeJob(JobKeyOf(scheduleId), cancellationToken);

    public async Task DeleteAsync(Guid scheduleId, CancellationToken cancellationToken) =>
        await (await factory.GetScheduler(cancellationToken)).DeleteJob(JobKeyOf(scheduleId), cancellationToken);

    public async Task<DateTimeOffset?> NextFireTimeAsync(Guid scheduleId, CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var key = TriggerKeyOf(scheduleId);
        if (await scheduler.GetTrigger(key, cancellationToken) is not { } trigger
            || await scheduler.GetTriggerState(key, cancellationToken) == TriggerState.Paused)
        {
            return null;
        }

        return trigger.NextFireTimeUtc;
    }

    private static JobKey JobKeyOf(Guid scheduleId) => new(scheduleId.ToString("N"), Group);

    private static TriggerKey TriggerKeyOf(Guid scheduleId) => new(scheduleId.ToString("N"), Group);
}
