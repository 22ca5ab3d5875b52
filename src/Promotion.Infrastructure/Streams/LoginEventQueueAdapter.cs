using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// The login-event stream's queue adapter over an <see cref="ILoginEventTransport"/>: a batch
/// produced on partition stream <c>n</c> is one message on queue <c>n</c>, published with the
/// broker's confirmation awaited; each queue's receiver is remembered, so the failure handler can
/// dead-letter what the receiver holds.
/// </summary>
internal sealed class LoginEventQueueAdapter(string name, ILoginEventTransport transport, LoginPartitionQueueMapper mapper, ILoggerFactory loggers) : IQueueAdapter
{
    private readonly ConcurrentDictionary<QueueId, LoginEventQueueReceiver> _receivers = new();
    private long _sequence;

    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var receiver = new LoginEventQueueReceiver(queueId, transport, () => Interlocked.Increment(ref _sequence), loggers.CreateLogger<LoginEventQueueReceiver>());
        _receivers[queueId] = receiver;
        return receiver;
    }

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (token is not null)
        {
            throw new ArgumentException("the login-event stream is not rewindable: produce without a sequence token", nameof(token));
        }

        var logins = events.Select(e => e as LoginEvent ?? throw new ArgumentException($"the login-event stream carries {nameof(LoginEvent)}s, not {typeof(T).Name}", nameof(events))).ToList();
        if (logins.Count == 0)
        {
            return;
        }

        var partition = LoginPartitionQueueMapper.PartitionOf(mapper.GetQueueForStream(streamId));
        // A batch is one publish: its events share one trace context, carried as a header.
        await transport.PublishAsync(partition, LoginEventCodec.Encode(logins), logins[0].TraceParent, CancellationToken.None);
    }

    /// <summary>The receiver this silo reads <paramref name="queueId"/> with, if any.</summary>
    public LoginEventQueueReceiver? ReceiverOf(QueueId queueId) => _receivers.GetValueOrDefault(queueId);
}
