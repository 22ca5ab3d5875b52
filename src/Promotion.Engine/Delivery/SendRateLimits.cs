using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Delivery;

/// <summary>
/// One limiter per campaign with a send limit, holding this host's share of it: the campaign's
/// <c>maxSendsPerSecond</c> divided by the live worker hosts. Re-split when the live set changes,
/// so the cluster-wide rate stays at the limit as hosts come and go.
/// </summary>
public sealed class SendRateLimits(LiveWorkers liveWorkers) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, SendLimitShare> _shares = new();

    /// <summary>This host's limiter for <paramref name="campaign"/>, or null when it has no limit.</summary>
    public async ValueTask<RateLimiter?> ForAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (campaign.MaxSendsPerSecond is not { } limit)
        {
            return null;
        }

        await liveWorkers.WaitUntilSeenAsync(cancellationToken);
        var workers = await liveWorkers.CountAsync(cancellationToken);
        // A campaign's limit does not change, so one share lives as long as the campaign runs here.
        var share = _shares.GetOrAdd(campaign.Id, _ => new SendLimitShare(limit, workers));
        share.Resplit(workers);
        return share;
    }

    /// <summary>Drops the share of a campaign that ended (not disposed: a straggling send may still hold it).</summary>
    public void Forget(Guid campaignId) => _shares.TryRemove(campaignId, out _);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var share in _shares.Values)
        {
            share.Dispose();
        }
    }

    /// <summary>
    /// Token bucket options for <paramref name="perSecond"/> sends a second: about twenty refills a
    /// second, each an integer number of tokens at an exact period, and no burst beyond one refill,
    /// so no one-second window exceeds the rate by more than a twentieth (also when a share is
    /// re-split and its new bucket starts full).
    /// </summary>
    internal static TokenBucketRateLimiterOptions OptionsFor(double perSecond)
    {
        var tokens = Math.Max(1, (int)Math.Floor(perSecond / 20));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }
}
