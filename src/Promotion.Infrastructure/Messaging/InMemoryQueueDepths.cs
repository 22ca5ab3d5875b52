using Promotion.Engine.Stats;

namespace Promotion.Infrastructure.Messaging;

/// <summary>
/// Queue "depths" of MassTransit's in-memory transport: it exposes no counts, so every routed
/// queue is listed with its depth unknown rather than a made-up zero.
/// </summary>
public sealed class InMemoryQueueDepths(JobRoutes routes) : IQueueDepths
{
    /// <inheritdoc />
    public Task<IReadOnlyList<QueueDepth>> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<QueueDepth>>([.. routes.All.SelectMany(r => r.Queues).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(q => new QueueDepth(q, null, null, "in-memory transport: depth not observable"))]);
}
