using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Admits shards to this host's <see cref="ShardOptions.ConcurrentShards"/> slots by priority with
/// aging: a waiter ranks by its arrival time plus its priority's handicap
/// (<see cref="ShardOptions.NormalHandicap"/>, <see cref="ShardOptions.LowHandicap"/>; high has
/// none), and the lowest rank gets the next free slot. So a high shard overtakes low ones at once,
/// while a low shard that has waited longer than its handicap overtakes fresh high ones: low never
/// starves, it only waits.
/// </summary>
public sealed class PriorityGate
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, (DateTimeOffset Rank, long Seq)> _waiters = new();
    private readonly TimeProvider _time;
    private readonly ShardOptions _options;
    private int _free;
    private long _seq;

    /// <summary>Creates the gate with <see cref="ShardOptions.ConcurrentShards"/> slots.</summary>
    public PriorityGate(IOptions<ShardOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _free = _options.ConcurrentShards;
        _time = time;
    }

    /// <summary>Shards waiting for a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> EnterAsync(JobPriority priority, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_free > 0 && _waiters.Count == 0)
            {
                _free--;
                return new Slot(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter, (_time.GetUtcNow() + Handicap(priority), _seq++));
        }

        try
        {
            await waiter.Task.WaitAsync(cancellationToken);
            return new Slot(this);
        }
        catch (OperationCanceledException)
        {
            // If the slot was granted just as we gave up, pass it on.
            if (!waiter.TrySetCanceled(cancellationToken))
            {
                Release();
            }

            throw;
        }
    }

    private TimeSpan Handicap(JobPriority priority) => priority switch
    {
        JobPriority.High => TimeSpan.Zero,
        JobPriority.Normal => _options.NormalHandicap,
        _ => _options.LowHandicap,
    };

    private void Release()
    {
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var next, out _))
            {
                if (next.TrySetResult())
                {
                    return; // the slot moves to the waiter
                }
            }

            _free++;
        }
    }

    private sealed class Slot(PriorityGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
