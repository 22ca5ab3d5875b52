using Microsoft.Extensions.Options;
using Promotion.Engine.Coupons;
using Promotion.Engine.Stats;

namespace Promotion.Infrastructure.Streams;

/// <summary>The dashboard's queues: each login-event partition queue and the dead-letter queue, as the broker counts them.</summary>
internal sealed class LoginEventQueueDepths(ILoginEventTransport transport, IOptions<LoginEventOptions> options) : IQueueDepths
{
    public Task<IReadOnlyList<QueueDepth>> ReadAsync(CancellationToken cancellationToken) =>
        transport.ReadDepthsAsync(options.Value.Partitions, cancellationToken);
}

/// <summary>
/// The embedded profile's queues: Orleans memory streams keep the partitions in queue grains that
/// expose no counts, so each partition is listed with its depth unknown rather than a made-up zero.
/// </summary>
internal sealed class MemoryStreamQueueDepths(IOptions<LoginEventOptions> options) : IQueueDepths
{
    public Task<IReadOnlyList<QueueDepth>> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<QueueDepth>>([.. Enumerable.Range(0, options.Value.Partitions)
            .Select(p => new QueueDepth(LoginEventQueues.Queue(p), null, null, "memory streams: depth not observable"))]);
}
