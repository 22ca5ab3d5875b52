using Microsoft.Extensions.Options;

namespace Promotion.Engine.Nodes;

/// <summary>How many worker hosts are alive, from heartbeats, cached for a couple of seconds.</summary>
public sealed class LiveWorkers(INodeRegistry registry, IOptions<HeartbeatOptions> heartbeat, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _count = 1;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    /// <summary>
    /// Waits until peers have had time to see this host's first heartbeat and re-read the live
    /// set, so a host joining mid-campaign does not take its share while the others still send
    /// at the old, larger one.
    /// </summary>
    public Task WaitUntilSeenAsync(CancellationToken cancellationToken)
    {
        var due = _startedAt + heartbeat.Value.Interval + Refresh - time.GetUtcNow();
        return due > TimeSpan.Zero ? Task.Delay(due, time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Live worker hosts, at least 1 (this one is working when it asks).</summary>
    public async ValueTask<int> CountAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _readAt < Refresh)
        {
            return _count;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (now - _readAt >= Refresh)
            {
                try
                {
                    var alive = await registry.ListAliveAsync(now, cancellationToken);
                    _count = Math.Max(1, alive.Count(n => n.IsWorker));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Registry unreachable: keep the last known split rather than stop sending.
                }

                _readAt = now;
            }

            return _count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
