using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Brings an empty coupon ledger (Redis flushed, or restarted without its data) back from the
/// store before anything is decided again: the live campaigns, every member holding a coupon of
/// them, and each campaign's stock left. One host restores under the ledger's lock while the
/// others wait; the ledger refuses to decide until the restore has completed, so no member can
/// get a second coupon from an empty ledger.
/// </summary>
/// <remarks>
/// Decisions the ledger lost that were not yet written come back with their messages (not acked
/// yet), whose writes then land after the restore; until then the restored stock counts them as
/// free, and the store's stock check refuses whatever that over-issues (the issuer revokes it).
/// </remarks>
public sealed partial class CouponLedgerRestorer(
    ICouponLedger ledger,
    ICouponStore store,
    NodeIdentity node,
    IOptions<CouponOptions> options,
    PromotionInstruments instruments,
    TimeProvider time,
    ILogger<CouponLedgerRestorer> logger)
{
    private const int Chunk = 5_000;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns once the ledger is restored, restoring it here if no other host is doing so.</summary>
    /// <exception cref="TimeoutException">Another host's restore did not finish within twice the restore lease.</exception>
    public async Task EnsureRestoredAsync(CancellationToken cancellationToken)
    {
        var owner = node.NodeId + ":" + Guid.NewGuid().ToString("N")[..8];
        var lease = options.Value.RestoreLease;
        var giveUpAt = time.GetUtcNow() + (lease * 2);
        while (true)
        {
            switch (await ledger.TryBeginRestoreAsync(owner, lease, cancellationToken))
            {
                case RestoreStart.AlreadyRestored:
                    return;
                case RestoreStart.Began:
                    await RestoreAsync(owner, cancellationToken);
                    return;
                default:
                    if (time.GetUtcNow() > giveUpAt)
                    {
                        throw new TimeoutException($"the coupon ledger was still being restored by another host after {lease * 2}");
                    }

                    await Task.Delay(Poll, time, cancellationToken);
                    break;
            }
        }
    }

    private async Task RestoreAsync(string owner, CancellationToken cancellationToken)
    {
        var completed = false;
        try
        {
            LogRestoring(logger);
            var started = time.GetTimestamp();
            var campaigns = await store.ListLiveCampaignsAsync(time.GetUtcNow(), cancellationToken);
            long members = 0;
            foreach (var campaign in campaigns)
            {
                var chunk = new List<long>(Chunk);
                await foreach (var member in store.ReadIssuedMembersAsync(campaign.Id, cancellationToken))
                {
                    chunk.Add(member);
                    if (chunk.Count == Chunk)
                    {
                        await ledger.RestoreMembersAsync(campaign.Id, chunk, cancellationToken);
                        members += chunk.Count;
                        chunk.Clear();
                    }
                }

                if (chunk.Count > 0)
                {
                    await ledger.RestoreMembersAsync(campaign.Id, chunk, cancellationToken);
                    members += chunk.Count;
                }

                // Stock is read after the members: a coupon written meanwhile then counts against it.
                var latest = await store.GetCampaignAsync(campaign.Id, cancellationToken) ?? campaign;
                await ledger.RestoreCampaignAsync(latest.Rule, latest.StockLeft, cancellationToken);
            }

            completed = true;
            instruments.CouponLedgerRestores.Add(1);
            LogRestored(logger, campaigns.Count, members, time.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            await ledger.EndRestoreAsync(owner, completed, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The coupon ledger is empty (Redis flushed or restarted); restoring it from the store before deciding again")]
    private static partial void LogRestoring(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Coupon ledger restored: {Campaigns} live coupon campaigns, {Members} issued coupons, in {ElapsedMs:0} ms")]
    private static partial void LogRestored(ILogger logger, int campaigns, long members, double elapsedMs);
}
