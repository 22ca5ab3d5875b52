using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Delivery;

/// <summary>
/// One token bucket per campaign with a send limit, holding this host's share of it: the
/// campaign's <c>maxSendsPerSecond</c> divided by the live worker hosts. Rebuilt when the live
/// set changes, so the cluster-wide rate stays at the limit as hosts come and go.
/// </summary>
public sealed class SendRateLimits(LiveWorkers liveWorkers) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, Bucket> _buckets = new();

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
        var bucket = _buckets.AddOrUpdate(
            campaign.Id,
            _ => new Bucket(limit, workers),
            (_, old) => old.Limit == limit && old.Workers == workers ? old : new Bucket(limit, workers));
        return bucket.Limiter;
    }

    /// <summary>Drops the bucket of a campaign that ended.</summary>
    public void Forget(Guid campaignId) => _buckets.TryRemove(campaignId, out _);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var b in _buckets.Values)
        {
            b.Limiter.Dispose();
        }
    }

    /// <summary>
    /// Token bucket options for <paramref name="perSecond"/> sends a second: about twenty refills a
    /// second, each an integer number of tokens at an exact period, and no burst beyond one refill,
    /// so no one-second window exceeds the rate by more than a twentieth (also when a bucket is
    /// rebuilt for a new split and starts full).
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

    private sealed class Bucket(int limit, int workers)
    {
        public int Limit { get; } = limit;

        public int Workers { get; } = workers;

        // Replaced buckets are not disposed: sends may still be queued on them; they drain and are collected.
        public RateLimiter Limiter { get; } = new TokenBucketRateLimiter(OptionsFor((double)limit / workers));
    }
}
