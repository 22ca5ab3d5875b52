using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Placement;
using Orleans.Streams;
using Orleans.Streams.Core;
using Promotion.Engine.Cluster;
using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Decides one partition of the login-event stream: each delivered batch (one broker message, up
/// to 1,000 logins) goes through the <see cref="CouponIssuer"/> (one Lua call in the ledger, one
/// batched write to the store) before the delivery completes. A delivery that throws is retried
/// by the stream's pulling agent with backoff for <see cref="LoginEventOptions.RetryFor"/>, then
/// the batch is dead-lettered by the queue adapter and the partition goes on; the message is
/// acknowledged to the broker only after a delivery completed. Each delivery is a decision span in
/// the trace of the request that published its events.
/// </summary>
/// <remarks>
/// One grain per partition, never one per member: concurrent logins of a member are serialised by
/// the ledger's script, not by activations. Orleans may briefly run a second activation of a
/// partition after a silo is declared dead; both only ever decide through the ledger, so a batch
/// delivered twice is harmless.
/// </remarks>
[ImplicitStreamSubscription(LoginStreams.Namespace)]
[SiloRole(SiloRoles.Worker)]
// Activated by the pulling agent of the silo reading the partition's queue: on that silo when it
// is a worker, so the queue balancer spreads the partitions, and their work, over the workers.
[PreferLocalPlacement]
internal sealed partial class LoginPartitionGrain(CouponIssuer issuer, ILogger<LoginPartitionGrain> logger)
    : Grain, ILoginPartitionGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<LoginEvent>
{
    private long _batches;
    private long _events;
    private long _failures;

    public Task<LoginPartitionTally> GetTallyAsync() => Task.FromResult(new LoginPartitionTally(_batches, _events, _failures));

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        ArgumentNullException.ThrowIfNull(handleFactory);
        await handleFactory.Create<LoginEvent>().ResumeAsync(this);
    }

    public async Task OnNextAsync(IList<SequentialItem<LoginEvent>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var events = new LoginEvent[items.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = items[i].Item;
        }

        using var span = PromotionTraces.StartCouponDecision(this.GetPrimaryKeyString(), events);
        try
        {
            PromotionTraces.EndCouponDecision(span, await issuer.IssueAsync(events, CancellationToken.None));
        }
        catch (Exception ex)
        {
            // Thrown back to the pulling agent, which retries the delivery; nothing is acknowledged.
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            _failures++;
            LogDeliveryFailed(logger, this.GetPrimaryKeyString(), events.Length, ex);
            throw;
        }

        _batches++;
        _events += events.Length;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(logger, this.GetPrimaryKeyString(), ex);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login partition {Partition}: a batch of {Events} events failed and will be delivered again (or dead-lettered after the retry window)")]
    private static partial void LogDeliveryFailed(ILogger logger, string partition, int events, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login partition {Partition}: the stream reported an error (a batch that kept failing goes to the dead-letter queue)")]
    private static partial void LogStreamError(ILogger logger, string partition, Exception exception);
}
