namespace Promotion.Infrastructure.Streams;

/// <summary>
/// A broker carrying the login-event partitions (RabbitMQ, or Azure Service Bus): one durable
/// queue per partition and one dead-letter queue. The queue adapter speaks only to this, so both
/// transports share its acknowledgement and dead-letter rules.
/// </summary>
internal interface ILoginEventTransport : IAsyncDisposable
{
    /// <summary>Which broker this is, for logs and the dashboard.</summary>
    string Kind { get; }

    /// <summary>Creates what <paramref name="partitions"/> partitions need on the broker (idempotent), or checks it is there.</summary>
    Task DeclareAsync(int partitions, CancellationToken cancellationToken);

    /// <summary>
    /// Puts one message on partition <paramref name="partition"/>, with <paramref name="traceParent"/>
    /// in its <see cref="LoginEventQueues.TraceParentHeader"/> when given; returns once the broker holds it durably.
    /// </summary>
    Task PublishAsync(int partition, ReadOnlyMemory<byte> body, string? traceParent, CancellationToken cancellationToken);

    /// <summary>Starts taking messages from partition <paramref name="partition"/>.</summary>
    Task<ILoginEventQueueReader> OpenAsync(int partition, CancellationToken cancellationToken);

    /// <summary>Throws when the broker cannot be reached (the readiness check).</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>Messages waiting in each partition and in the dead-letter queue.</summary>
    Task<IReadOnlyList<Engine.Stats.QueueDepth>> ReadDepthsAsync(int partitions, CancellationToken cancellationToken);
}

/// <summary>
/// One partition's consumer. Messages it hands out stay unacknowledged (locked, on Service Bus)
/// until <see cref="AckAsync"/> or <see cref="DeadLetterAsync"/>; closing it returns them to the queue.
/// </summary>
internal interface ILoginEventQueueReader : IAsyncDisposable
{
    /// <summary>False once the consumer lost its broker connection; the receiver then opens a new one.</summary>
    bool IsOpen { get; }

    /// <summary>Takes up to <paramref name="max"/> messages that have arrived, without waiting.</summary>
    IReadOnlyList<TransportMessage> Take(int max);

    /// <summary>The message is done with: removes it from the queue.</summary>
    Task AckAsync(TransportMessage message, CancellationToken cancellationToken);

    /// <summary>Moves the message to the dead-letter queue with <paramref name="reason"/>, then removes it from its queue.</summary>
    Task DeadLetterAsync(TransportMessage message, string reason, CancellationToken cancellationToken);
}

/// <summary>A message taken from a partition queue.</summary>
/// <param name="Body">The body (a JSON array of login events).</param>
/// <param name="Redelivered">True when the broker has handed it out before.</param>
/// <param name="Handle">What the transport needs to settle it (delivery tag and channel, or the received message).</param>
/// <param name="TraceParent">Its <see cref="LoginEventQueues.TraceParentHeader"/>, if the producer set one.</param>
internal sealed record TransportMessage(ReadOnlyMemory<byte> Body, bool Redelivered, object Handle, string? TraceParent = null);
