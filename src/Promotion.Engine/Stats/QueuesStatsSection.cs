namespace Promotion.Engine.Stats;

/// <summary><c>queues</c>: each job queue's depth and consumers, or why they are unknown.</summary>
internal sealed class QueuesStatsSection(IQueueDepths depths) : IStatsSection
{
    public string Name => "queues";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var queues = await depths.ReadAsync(cancellationToken);
        return new
        {
            total = queues.All(q => q.Messages is not null) ? queues.Sum(q => q.Messages!.Value) : (long?)null,
            items = queues,
        };
    }
}
