using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// On every worker host: re-dispatches shards whose lease expired (their worker died) or whose
/// message was lost, and plans campaigns whose plan message was lost. Claims are atomic in the
/// store, so several sweeping hosts never double-dispatch.
/// </summary>
internal sealed partial class ShardSweeper(
    IShardStore shards,
    ICampaignStore campaigns,
    IJobDispatcher dispatcher,
    IOptions<ShardOptions> options,
    TimeProvider time,
    ILogger<ShardSweeper> logger) : BackgroundService
{
    private const int ClaimBatch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // host stopping
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var staleBefore = now - options.Value.RedispatchAfter;
        foreach (var id in await shards.ClaimStalledPlansAsync(now, staleBefore, cancellationToken))
        {
            LogReplanning(logger, id);
            await dispatcher.SendAsync([new PlanCampaign(id)], cancellationToken);
        }

        IReadOnlyList<ShardRef> stranded;
        do
        {
            stranded = await shards.ClaimStrandedAsync(now, staleBefore, ClaimBatch, cancellationToken);
            if (stranded.Count == 0)
            {
                break;
            }

            var messages = new List<ProcessShard>(stranded.Count);
            foreach (var group in stranded.GroupBy(s => s.CampaignId))
            {
                var priority = (await campaigns.GetAsync(group.Key, cancellationToken))?.Priority ?? Domain.Campaigns.JobPriority.Normal;
                messages.AddRange(group.Select(s => new ProcessShard(s.CampaignId, s.ShardNo, priority)));
            }

            await dispatcher.SendAsync(messages, cancellationToken);
            LogRedispatched(logger, stranded.Count);
        }
        while (stranded.Count == ClaimBatch);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-dispatched {Count} stranded shards (expired leases or lost messages)")]
    private static partial void LogRedispatched(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId} was stuck before planning; sending its plan message again")]
    private static partial void LogReplanning(ILogger logger, Guid campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard sweep failed; trying again next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
