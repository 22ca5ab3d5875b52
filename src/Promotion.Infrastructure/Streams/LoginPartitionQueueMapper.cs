using Orleans.Runtime;
using Orleans.Streams;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// Maps partition stream <c>n</c> to queue <c>n</c> (so a producer publishing straight to the
/// broker's partition <c>n</c> reaches the same grain), and spreads the queues evenly over the
/// ring the queue balancer hands out to silos.
/// </summary>
internal sealed class LoginPartitionQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] _queues;

    public LoginPartitionQueueMapper(string providerName, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        _queues = new QueueId[partitions];
        var portion = (uint)((1UL << 32) / (ulong)partitions);
        for (var i = 0; i < partitions; i++)
        {
            _queues[i] = QueueId.GetQueueId(providerName, (uint)i, unchecked(portion * (uint)i));
        }
    }

    public int Partitions => _queues.Length;

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    public QueueId GetQueueForStream(StreamId streamId) =>
        LoginStreams.PartitionOf(streamId) is { } p && p < _queues.Length
            ? _queues[p]
            : throw new ArgumentException($"{streamId} is not a login-event partition stream (0 to {_queues.Length - 1})", nameof(streamId));

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return _queues.Where(q => range.InRange(q.GetUniformHashCode()));
    }

    /// <summary>The partition a queue stands for.</summary>
    public static int PartitionOf(QueueId queueId) => (int)queueId.GetNumericId();
}
