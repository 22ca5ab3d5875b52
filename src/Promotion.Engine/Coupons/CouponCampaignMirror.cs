using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Promotion.Engine.Coupons;

/// <summary>
/// On every worker host, every <see cref="CouponOptions.MirrorInterval"/>: restores an empty
/// ledger without waiting for the next login, mirrors the live campaigns into it (a create whose
/// mirroring failed is caught up here) and drops the campaigns that were stopped or have ended,
/// so each login's decision only looks at campaigns that can still issue.
/// </summary>
internal sealed partial class CouponCampaignMirror(
    ICouponStore store,
    ICouponLedger ledger,
    CouponLedgerRestorer restorer,
    IOptions<CouponOptions> options,
    TimeProvider time,
    ILogger<CouponCampaignMirror> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MirrorInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await MirrorAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogMirrorFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // host stopping
        }
    }

    internal async Task MirrorAsync(CancellationToken cancellationToken)
    {
        await restorer.EnsureRestoredAsync(cancellationToken);
        // Listed before the store is read: a campaign created in between is not in this list, so
        // it cannot be mistaken for one that ended.
        var inLedger = await ledger.ListCampaignIdsAsync(cancellationToken);
        var live = await store.ListLiveCampaignsAsync(time.GetUtcNow(), cancellationToken);
        foreach (var campaign in live)
        {
            await ledger.PutCampaignAsync(campaign.Rule, campaign.StockLeft, cancellationToken);
        }

        var liveIds = live.Select(c => c.Id).ToHashSet();
        foreach (var id in inLedger.Where(id => !liveIds.Contains(id)))
        {
            await ledger.RemoveCampaignAsync(id, cancellationToken);
            LogDropped(logger, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirroring coupon campaigns to the ledger failed; trying again at the next interval")]
    private static partial void LogMirrorFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Coupon campaign {CouponCampaignId} stopped or ended; the ledger no longer decides for it")]
    private static partial void LogDropped(ILogger logger, Guid couponCampaignId);
}
