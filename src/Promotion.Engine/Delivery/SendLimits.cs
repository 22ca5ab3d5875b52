using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Hosting;
using Orleans;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.Delivery;

/// <summary>
/// This silo's side of the campaigns' send limits: one <see cref="LeasedSendLimit"/> per limited
/// campaign it sends for, each taking its tokens from the campaign's <see cref="ISendLimitGrain"/>.
/// </summary>
/// <remarks>
/// While this host stops with no other worker silo active, the limiter grains have nowhere to run:
/// sends still waiting for tokens then are cancelled, so their page is abandoned (its shard resumes
/// from its checkpoint when a worker starts) instead of holding the silo's stop until it times out.
/// </remarks>
public sealed class SendLimits(IGrainFactory grains, TimeProvider time, ActiveWorkers workers, IHostApplicationLifetime lifetime) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, LeasedSendLimit> _limits = new();

    /// <summary>This silo's limiter for a campaign limited to <paramref name="perSecond"/> sends a second across the cluster.</summary>
    public LeasedSendLimit For(Guid campaignId, int perSecond) =>
        _limits.GetOrAdd(campaignId, id => new LeasedSendLimit(grains.GetGrain<ISendLimitGrain>(id), perSecond, time, Unreachable));

    private bool Unreachable() => lifetime.ApplicationStopping.IsCancellationRequested && workers.NoneActive();

    /// <summary>Drops the limiter of a campaign that ended here (not disposed: a straggling send may still hold it).</summary>
    public void Forget(Guid campaignId) => _limits.TryRemove(campaignId, out _);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var limit in _limits.Values)
        {
            limit.Dispose();
        }
    }
}

/// <summary>
/// A rate limiter whose tokens come from the campaign's limiter grain, fetched a slice at a time
/// (at most a twentieth of a second of the whole limit) only while sends here wait for them. A
/// slice's leftover tokens are kept for 50 ms and then dropped, so tokens granted in one moment are
/// never spent much later, when they would add to that later moment's share. When the grain cannot be
/// reached and never will be here (see <see cref="SendLimits"/>), waiting sends are cancelled.
/// </summary>
public sealed class LeasedSendLimit : RateLimiter
{
    private static readonly TimeSpan KeepLeftoverFor = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryOnError = TimeSpan.FromMilliseconds(200);

    private readonly ISendLimitGrain _grain;
    private readonly TimeProvider _time;
    private readonly Func<bool> _unreachable;
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource<RateLimitLease>> _waiters = new();
    private TaskCompletionSource _unsaturated = Completed();
    private int _tokens;
    private long _tokensUntil;
    private bool _fetching;
    private bool _disposed;
    private long _idleSince;
    private long _granted;

    internal LeasedSendLimit(ISendLimitGrain grain, int perSecond, TimeProvider time, Func<bool> unreachable)
    {
        _grain = grain;
        _time = time;
        _unreachable = unreachable;
        PerSecond = perSecond;
        _idleSince = time.GetTimestamp();
    }

    /// <summary>The campaign's cluster-wide limit.</summary>
    public int PerSecond { get; }

    /// <summary>True while sends here wait for tokens: more work for this campaign would only wait too.</summary>
    public bool IsSaturated
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count > 0;
            }
        }
    }

    /// <summary>Completes once no send here waits for a token.</summary>
    public Task WaitUntilUnsaturatedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _unsaturated.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count > 0 ? null : _time.GetElapsedTime(_idleSince);
            }
        }
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = LocalTokens(),
                CurrentQueuedCount = _waiters.Count,
                TotalSuccessfulLeases = _granted,
            };
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            return _waiters.Count == 0 && TryTakeLocal(permitCount) ? TokenLease.Acquired : TokenLease.Refused;
        }
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        // Sends take one token per attempt; anything else is a caller's mistake.
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
        TaskCompletionSource<RateLimitLease> waiter;
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.FromResult<RateLimitLease>(TokenLease.Refused);
            }

            if (_waiters.Count == 0 && TryTakeLocal(1))
            {
                return ValueTask.FromResult<RateLimitLease>(TokenLease.Acquired);
            }

            waiter = new TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            if (_unsaturated.Task.IsCompleted)
            {
                _unsaturated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (!_fetching)
            {
                _fetching = true;
                _ = Task.Run(FetchAsync, CancellationToken.None);
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static s => ((TaskCompletionSource<RateLimitLease>)s!).TrySetCanceled(), waiter);
            _ = waiter.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _disposed = true;
                while (_waiters.TryDequeue(out var waiter))
                {
                    waiter.TrySetResult(TokenLease.Refused);
                }

                _unsaturated.TrySetResult();
            }
        }

        base.Dispose(disposing);
    }

    // One fetch loop at a time, while sends wait: a slice per round trip, handed out in arrival order.
    private async Task FetchAsync()
    {
        while (true)
        {
            int wanted;
            lock (_gate)
            {
                DropCancelled();
                if (_waiters.Count == 0 || _disposed)
                {
                    _fetching = false;
                    _idleSince = _time.GetTimestamp();
                    _unsaturated.TrySetResult();
                    return;
                }

                wanted = Math.Min(_waiters.Count, SendTokenBucket.Capacity(PerSecond));
            }

            SendTokens tokens;
            try
            {
                tokens = await _grain.LeaseAsync(PerSecond, wanted);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (_unreachable())
                {
                    // Nowhere left to run the limiter grain: no token will ever come.
                    CancelWaiters();
                    continue;
                }

                // The limiter grain is moving (its silo died) or the call timed out: ask again shortly.
                await Task.Delay(RetryOnError, _time);
                continue;
            }

            if (tokens.Granted == 0)
            {
                await Task.Delay(tokens.RetryAfter, _time);
                continue;
            }

            lock (_gate)
            {
                var left = tokens.Granted;
                while (left > 0 && _waiters.TryDequeue(out var waiter))
                {
                    if (waiter.TrySetResult(TokenLease.Acquired))
                    {
                        left--;
                        _granted++;
                    }
                }

                _tokens = left;
                _tokensUntil = _time.GetTimestamp() + (long)(KeepLeftoverFor.TotalSeconds * _time.TimestampFrequency);
            }
        }
    }

    private void CancelWaiters()
    {
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetCanceled();
            }
        }
    }

    private bool TryTakeLocal(int permits)
    {
        if (LocalTokens() < permits)
        {
            return false;
        }

        _tokens -= permits;
        _granted += permits;
        return true;
    }

    private int LocalTokens() => _time.GetTimestamp() < _tokensUntil ? _tokens : 0;

    private void DropCancelled()
    {
        while (_waiters.TryPeek(out var first) && first.Task.IsCompleted)
        {
            _waiters.Dequeue();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private sealed class TokenLease(bool acquired) : RateLimitLease
    {
        public static readonly TokenLease Acquired = new(true);
        public static readonly TokenLease Refused = new(false);

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
