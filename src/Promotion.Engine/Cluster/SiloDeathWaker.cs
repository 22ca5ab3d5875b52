using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Promotion.Engine.Cluster;

/// <summary>
/// When the membership declares a silo dead, wakes every grain of one kind that may have lived there
/// (the running campaigns, the active schedules), so they come back on a live silo within seconds of
/// the death instead of at their next reminder tick, up to a minute later. Waking a grain that lives
/// elsewhere only makes it check its work. Every live silo of the role does it; a wake is idempotent.
/// </summary>
internal abstract partial class SiloDeathWaker(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    TimeProvider time,
    ILogger logger) : BackgroundService
{
    private const int Attempts = 3;
    private const int Parallelism = 8;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    /// <summary>What is woken, for the logs ("running campaigns").</summary>
    protected abstract string Kind { get; }

    /// <summary>The ids of the grains to wake.</summary>
    protected abstract Task<IReadOnlyList<Guid>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One grain call that brings the grain back and has it resume its work.</summary>
    protected abstract Task WakeAsync(Guid id);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var died in membership.WatchDeathsAsync(stoppingToken))
            {
                if (membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active)
                {
                    LogSiloDied(logger, string.Join(", ", died.Select(m => m.Name)), Kind);
                    await WakeAllAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WakeAllAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> ids;
        try
        {
            ids = await ListAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Their reminders bring them back anyway, within a minute.
            LogListFailed(logger, Kind, ex);
            return;
        }

        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (id, ct) => await WakeWithRetriesAsync(id, ct));
    }

    private async Task WakeWithRetriesAsync(Guid id, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WakeAsync(id);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < Attempts)
            {
                // The directory may still point at the dead silo for a moment.
                LogWakeRetry(logger, Kind, id, ex.Message);
                await Task.Delay(RetryAfter, time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWakeFailed(logger, Kind, id, ex);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silos} declared dead; waking the {Kind} so those it hosted resume on a live silo")]
    private static partial void LogSiloDied(ILogger logger, string silos, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the {Kind} to wake them; their reminders bring them back within a minute")]
    private static partial void LogListFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waking one of the {Kind}, {Id}, failed ({Reason}); trying again")]
    private static partial void LogWakeRetry(ILogger logger, string kind, Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake one of the {Kind}, {Id}; its reminder brings it back within a minute")]
    private static partial void LogWakeFailed(ILogger logger, string kind, Guid id, Exception exception);
}
