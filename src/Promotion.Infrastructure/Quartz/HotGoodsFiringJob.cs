using System.Globalization;
using Promotion.Engine.HotGoods;
using Quartz;

namespace Promotion.Infrastructure.Quartz;

/// <summary>
/// The Quartz job of a hot-goods schedule: hands the firing (schedule id and the fire time it was
/// scheduled for) to the engine. Concurrent runs of one schedule are disallowed, so a slow firing
/// and the next one never overlap; the engine's firing claim covers re-runs after a recovery.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class HotGoodsFiringJob(HotGoodsFiring firing) : IJob
{
    /// <summary>The job data key holding the schedule id.</summary>
    public const string ScheduleIdKey = "scheduleId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduleId = Guid.Parse(context.MergedJobDataMap.GetString(ScheduleIdKey)!, CultureInfo.InvariantCulture);
        await firing.FireAsync(scheduleId, ScheduledAt(context), context.Recovering, cancellationToken);
    }

    // A recovery re-run is scheduled for the original fire time; the data map keeps it too, in case a trigger type does not.
    private static DateTimeOffset ScheduledAt(IJobExecutionContext context)
    {
        if (context.Recovering
            && context.MergedJobDataMap.TryGetValue(SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime, out var original)
            && long.TryParse(Convert.ToString(original, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        return context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
    }
}
