using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Streams;
using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Coupons;

/// <summary>Port: puts a checked batch of login events on the login-event stream, durably.</summary>
public interface ILoginEventPublisher
{
    /// <summary>Queues <paramref name="events"/> (already checked) as one message; returns once the queue holds it.</summary>
    Task PublishAsync(IReadOnlyList<LoginEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// Puts a batch of login events on one partition of the login-event stream, partitions taken in
/// turn. Returns when the stream's queue holds the batch: the RabbitMQ adapter awaits the broker's
/// publisher confirm, the Service Bus adapter the send, memory streams the queue grain. The events
/// carry the publish span's <c>traceparent</c>, so their coupon decision joins the request's trace.
/// </summary>
/// <remarks>
/// Any partition will do: concurrent logins of one member on two partitions are decided by the
/// ledger's script one after the other, so spreading batches evenly is all that matters.
/// </remarks>
internal sealed class StreamLoginEventPublisher(IClusterClient client, IOptions<LoginEventOptions> options) : ILoginEventPublisher
{
    private int _next = -1;

    public Task PublishAsync(IReadOnlyList<LoginEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        var partition = (int)((uint)Interlocked.Increment(ref _next) % (uint)options.Value.Partitions);
        var stream = client.GetStreamProvider(LoginStreams.Provider).GetStream<LoginEvent>(LoginStreams.Partition(partition));
        return PublishAsync(stream, partition, events);
    }

    private static async Task PublishAsync(IAsyncStream<LoginEvent> stream, int partition, IReadOnlyList<LoginEvent> events)
    {
        using var span = PromotionTraces.StartLoginPublish(partition, events.Count, out var traceParent);
        await stream.OnNextBatchAsync(traceParent is null ? events : [.. events.Select(e => e with { TraceParent = traceParent })]);
    }
}
