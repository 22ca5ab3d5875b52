using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Writes issued coupons to the store in batches (group commit): the issuers handling messages at
/// the same time hand in their coupons, one loop writes whatever has gathered (up to
/// <see cref="CouponOptions.WriteBatch"/>) in one transaction, and each issuer learns what
/// became of its own coupons. So many small login messages still make few, large writes, and an
/// issuer acks its message only after its coupons are in the store.
/// </summary>
internal sealed partial class IssuedCouponWriter(
    ICouponStore store,
    IOptions<CouponOptions> options,
    PromotionInstruments instruments,
    ILogger<IssuedCouponWriter> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Writes <paramref name="coupons"/> with whatever else is waiting; completes when they are committed.</summary>
    public async Task<CouponWriteResult> WriteAsync(IReadOnlyList<IssuedCoupon> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        if (coupons.Count == 0)
        {
            return CouponWriteResult.Empty;
        }

        var pending = new Pending(coupons, new TaskCompletionSource<CouponWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new OperationCanceledException("the host is stopping; the message will be delivered again");
        }

        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                var rows = 0;
                while (rows < options.Value.WriteBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                    rows += next.Coupons.Count;
                }

                await FlushAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
        finally
        {
            // Issuers still waiting fail, so their messages are not acked and come back.
            _queue.Writer.TryComplete();
            foreach (var p in batch)
            {
                p.Done.TrySetCanceled(CancellationToken.None);
            }

            while (_queue.Reader.TryRead(out var left))
            {
                left.Done.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    private async Task FlushAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        var all = batch.Count == 1 ? batch[0].Coupons : [.. batch.SelectMany(p => p.Coupons)];
        CouponWriteResult result;
        try
        {
            result = await store.WriteIssuedAsync(all, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Every issuer of the batch fails and its message is retried; the ledger still says
            // "issued, pending", so the retry writes the same coupons again.
            LogWriteFailed(logger, all.Count, ex);
            foreach (var p in batch)
            {
                p.Done.TrySetException(ex);
            }

            batch.Clear();
            return;
        }

        instruments.CouponsWritten.Add(result.Inserted.Count, new KeyValuePair<string, object?>("result", "inserted"));
        instruments.CouponsWritten.Add(result.Existing.Count, new KeyValuePair<string, object?>("result", "existing"));
        instruments.CouponsWritten.Add(result.Refused.Count, new KeyValuePair<string, object?>("result", "refused"));
        if (batch.Count == 1)
        {
            batch[0].Done.TrySetResult(result);
        }
        else
        {
            var inserted = result.Inserted.ToHashSet();
            var refused = result.Refused.ToHashSet();
            foreach (var p in batch)
            {
                var mine = p.Coupons.Select(c => c.Key).Distinct().ToList();
                p.Done.TrySetResult(new CouponWriteResult(
                    [.. mine.Where(inserted.Contains)],
                    [.. mine.Where(k => !inserted.Contains(k) && !refused.Contains(k))],
                    [.. mine.Where(refused.Contains)]));
            }
        }

        batch.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} issued coupons failed; their login messages will be retried")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    private sealed record Pending(IReadOnlyList<IssuedCoupon> Coupons, TaskCompletionSource<CouponWriteResult> Done);
}
