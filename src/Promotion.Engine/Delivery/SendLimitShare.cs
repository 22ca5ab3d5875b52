using System.Threading.RateLimiting;

namespace Promotion.Engine.Delivery;

/// <summary>
/// This host's share of one campaign's send limit: a token bucket at <c>limit / live workers</c>
/// that is re-rated, not duplicated, when the live set changes. The replaced bucket is disposed,
/// and sends still queued on it queue again on the new one, so a host never serves its old and its
/// new rate at the same time (which would overshoot the cluster's limit after every join).
/// </summary>
internal sealed class SendLimitShare : RateLimiter
{
    private readonly Lock _gate = new();
    private TokenBucketRateLimiter _bucket;
    private int _workers;

    public SendLimitShare(int limit, int workers)
    {
        Limit = limit;
        _workers = workers;
        _bucket = new TokenBucketRateLimiter(SendRateLimits.OptionsFor((double)limit / workers));
    }

    /// <summary>The campaign's cluster-wide limit.</summary>
    public int Limit { get; }

    /// <summary>The live workers the limit is currently split between.</summary>
    public int Workers => Volatile.Read(ref _workers);

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => Volatile.Read(ref _bucket).IdleDuration;

    /// <summary>Splits the limit between <paramref name="workers"/> hosts from now on.</summary>
    public void Resplit(int workers)
    {
        TokenBucketRateLimiter old;
        lock (_gate)
        {
            if (workers == _workers)
            {
                return;
            }

            old = _bucket;
            Volatile.Write(ref _bucket, new TokenBucketRateLimiter(SendRateLimits.OptionsFor((double)Limit / workers)));
            Volatile.Write(ref _workers, workers);
        }

        // Its queued sends get a failed lease and queue again on the new bucket (AcquireAsyncCore).
        old.Dispose();
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => Volatile.Read(ref _bucket).GetStatistics();

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        while (true)
        {
            var bucket = Volatile.Read(ref _bucket);
            try
            {
                var lease = bucket.AttemptAcquire(permitCount);
                if (lease.IsAcquired || !Replaced(bucket))
                {
                    return lease;
                }

                lease.Dispose();
            }
            catch (ObjectDisposedException) when (Replaced(bucket))
            {
                // Replaced between the read and the call: try the new one.
            }
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var bucket = Volatile.Read(ref _bucket);
            try
            {
                var lease = await bucket.AcquireAsync(permitCount, cancellationToken);
                if (lease.IsAcquired || !Replaced(bucket))
                {
                    return lease;
                }

                lease.Dispose();
            }
            catch (ObjectDisposedException) when (Replaced(bucket))
            {
                // Replaced between the read and the call: queue on the new one.
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Volatile.Read(ref _bucket).Dispose();
        }

        base.Dispose(disposing);
    }

    private bool Replaced(TokenBucketRateLimiter bucket) => !ReferenceEquals(bucket, Volatile.Read(ref _bucket));
}
