using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// On scheduler silos: when the membership declares a silo dead, wakes every active schedule, so the
/// schedules that silo hosted come back on a live one within seconds instead of at their next
/// reminder tick, up to a minute later. Waking a schedule that is running elsewhere changes nothing.
/// </summary>
internal sealed partial class ScheduleKeeper(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IHotGoodsSchedules schedules,
    TimeProvider time,
    ILogger<ScheduleKeeper> logger) : BackgroundService
{
    private const int Attempts = 3;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var died in membership.WatchDeathsAsync(stoppingToken))
            {
                if (membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active)
                {
                    LogSiloDied(logger, string.Join(", ", died.Select(m => m.Name)));
                    await WakeActiveSchedulesAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WakeActiveSchedulesAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<HotGoodsSchedule> all;
        try
        {
            all = await schedules.ListAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reminders bring the schedules back anyway, within a minute.
            LogListFailed(logger, ex);
            return;
        }

        await Parallel.ForEachAsync(
            all.Where(s => s.Status == HotGoodsScheduleStatus.Active),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (schedule, ct) => await WakeAsync(schedule.Id, ct));
    }

    private async Task WakeAsync(Guid scheduleId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IScheduleGrain>(scheduleId).WakeAsync();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < Attempts)
            {
                // The directory may still point at the dead silo for a moment.
                LogWakeRetry(logger, scheduleId, ex.Message);
                await Task.Delay(RetryAfter, time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWakeFailed(logger, scheduleId, ex);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silos} declared dead; waking the active hot-goods schedules so those it hosted resume here or on another scheduler silo")]
    private static partial void LogSiloDied(ILogger logger, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the hot-goods schedules to wake them; their reminders bring them back within a minute")]
    private static partial void LogListFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waking hot-goods schedule {ScheduleId} failed ({Reason}); trying again")]
    private static partial void LogWakeRetry(ILogger logger, Guid scheduleId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake hot-goods schedule {ScheduleId}; its reminder brings it back within a minute")]
    private static partial void LogWakeFailed(ILogger logger, Guid scheduleId, Exception exception);
}
