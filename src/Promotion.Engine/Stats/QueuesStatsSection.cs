namespace Promotion.Engine.Stats;

/// <summary>
/// <c>queues</c>: each login-event partition queue's depth and consumers (or why they are
/// unknown), and the dead-letter queue; <c>total</c> counts the partitions' messages waiting,
/// <c>deadLetters</c> the dead-letter queue's.
/// </summary>
internal sealed class QueuesStatsSection(IQueueDepths depths) : IStatsSection
{
    public string Name => "queues";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var queues = await depths.ReadAsync(cancellationToken);
        var partitions = queues.Where(q => !q.DeadLetter).ToList();
        var dead = queues.Where(q => q.DeadLetter).ToList();
        return new
        {
            total = partitions.All(q => q.Messages is not null) ? partitions.Sum(q => q.Messages!.Value) : (long?)null,
            deadLetters = dead.Count > 0 && dead.All(q => q.Messages is not null) ? dead.Sum(q => q.Messages!.Value) : (long?)null,
            items = queues,
        };
    }
}
