using Microsoft.Extensions.Logging;
using Promotion.Engine.Stats;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Promotion.Infrastructure.Streams.RabbitMq;

/// <summary>
/// The login-event partitions on RabbitMQ: a durable direct exchange (<see cref="LoginEventQueues.Exchange"/>)
/// routing key <c>n</c> to the durable queue <c>promotion-login-events.n</c>, and the dead-letter
/// queue. Publishes are persistent and mandatory on channels with publisher confirms, awaited, so
/// a publish returns only once the broker has the message (and throws when it refused or routed it
/// nowhere). Each partition's consumer has a channel of its own with a prefetch limit and manual
/// acknowledgements; its messages go back to the queue when its channel or connection closes,
/// which is what makes a silo's death a redelivery.
/// </summary>
internal sealed partial class RabbitMqLoginEventTransport : ILoginEventTransport
{
    private const int NotFound = 404;
    private const int PublishChannels = 4;
    private readonly ConnectionFactory _factory;
    private readonly int _prefetch;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IChannel?[] _publishers = new IChannel?[PublishChannels];
    private IConnection? _publishing;
    private IConnection? _consuming;
    private int _next;
    private int _partitions;
    private volatile bool _declared;

    public RabbitMqLoginEventTransport(string connectionString, int prefetch, ILogger<RabbitMqLoginEventTransport> logger)
    {
        var address = RabbitMqAddress.Parse(connectionString);
        _factory = new ConnectionFactory
        {
            HostName = address.Host,
            Port = address.Port,
            VirtualHost = address.VirtualHost,
            UserName = address.Username,
            Password = address.Password,
            ClientProvidedName = "promotion-login-events",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            // Recovery would re-create consumers whose old delivery tags are void; the receiver
            // opens a new consumer itself, and the broker hands out again what was unacked.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
        };
        _prefetch = prefetch;
        _logger = logger;
    }

    public string Kind => "RabbitMQ";

    /// <summary>Declares the exchange, <paramref name="partitions"/> bound queues and the dead-letter queue.</summary>
    public async Task DeclareAsync(int partitions, CancellationToken cancellationToken)
    {
        _partitions = partitions;
        var connection = await ConnectionAsync(consuming: false, cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(LoginEventQueues.Exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        for (var p = 0; p < partitions; p++)
        {
            await channel.QueueDeclareAsync(LoginEventQueues.Queue(p), durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(LoginEventQueues.Queue(p), LoginEventQueues.Exchange, LoginEventQueues.RoutingKey(p), cancellationToken: cancellationToken);
        }

        await channel.QueueDeclareAsync(LoginEventQueues.DeadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.CloseAsync(cancellationToken);
        _declared = true;
    }

    // A host that started while the broker was away declares the queues once it answers.
    private Task EnsureDeclaredAsync(CancellationToken cancellationToken) =>
        _declared || _partitions == 0 ? Task.CompletedTask : DeclareAsync(_partitions, cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken) => ConnectionAsync(consuming: false, cancellationToken);

    public async Task PublishAsync(int partition, ReadOnlyMemory<byte> body, string? traceParent, CancellationToken cancellationToken)
    {
        await EnsureDeclaredAsync(cancellationToken);
        var headers = traceParent is null ? null : new Dictionary<string, object?> { [LoginEventQueues.TraceParentHeader] = traceParent };
        await PublishAsync(LoginEventQueues.Exchange, LoginEventQueues.RoutingKey(partition), body, headers, cancellationToken);
    }

    public async Task<ILoginEventQueueReader> OpenAsync(int partition, CancellationToken cancellationToken)
    {
        await EnsureDeclaredAsync(cancellationToken);
        var connection = await ConnectionAsync(consuming: true, cancellationToken);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.BasicQosAsync(0, (ushort)Math.Clamp(_prefetch, 1, ushort.MaxValue), global: false, cancellationToken);
            var reader = new PartitionReader(this, channel, partition);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += reader.OnReceivedAsync;
            await channel.BasicConsumeAsync(LoginEventQueues.Queue(partition), autoAck: false, consumer, cancellationToken);
            return reader;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<QueueDepth>> ReadDepthsAsync(int partitions, CancellationToken cancellationToken)
    {
        var names = Enumerable.Range(0, partitions).Select(LoginEventQueues.Queue).ToList();
        IConnection connection;
        try
        {
            connection = await ConnectionAsync(consuming: false, cancellationToken);
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or TimeoutException)
        {
            return [.. names.Select(q => new QueueDepth(q, null, null, "broker unreachable: " + ex.Message))];
        }

        var depths = new List<QueueDepth>(partitions + 1);
        foreach (var queue in names)
        {
            depths.Add(await DeclarePassiveAsync(connection, queue, cancellationToken) ?? new QueueDepth(queue, 0, 0, "not declared yet"));
        }

        var dead = await DeclarePassiveAsync(connection, LoginEventQueues.DeadLetterQueue, cancellationToken) ?? new QueueDepth(LoginEventQueues.DeadLetterQueue, 0, 0);
        depths.Add(dead with { Note = "dead letters: batches that could not be decided (reason in the promotion-reason header)", DeadLetter = true });
        return depths;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _publishers)
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }

        if (_publishing is not null)
        {
            await _publishing.DisposeAsync();
        }

        if (_consuming is not null)
        {
            await _consuming.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task PublishAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body, IDictionary<string, object?>? headers, CancellationToken cancellationToken)
    {
        var slot = (int)((uint)Interlocked.Increment(ref _next) % PublishChannels);
        var channel = _publishers[slot];
        if (channel is not { IsOpen: true })
        {
            channel = await OpenPublisherAsync(slot, cancellationToken);
        }

        var properties = new BasicProperties { Persistent = true, ContentType = "application/json", Headers = headers };
        // Confirm tracking makes this await the broker's ack; a nack or a return (mandatory, no queue bound) throws.
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, cancellationToken);
    }

    private async Task<IChannel> OpenPublisherAsync(int slot, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_publishers[slot] is { IsOpen: true } open)
            {
                return open;
            }

            if (_publishers[slot] is { } stale)
            {
                await stale.DisposeAsync();
            }

            var connection = await ConnectionLockedAsync(consuming: false, cancellationToken);
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            _publishers[slot] = channel;
            return channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IConnection> ConnectionAsync(bool consuming, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ConnectionLockedAsync(consuming, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IConnection> ConnectionLockedAsync(bool consuming, CancellationToken cancellationToken)
    {
        var current = consuming ? _consuming : _publishing;
        if (current is { IsOpen: true })
        {
            return current;
        }

        if (current is not null)
        {
            await current.DisposeAsync();
        }

        var connection = await _factory.CreateConnectionAsync(consuming ? "promotion-login-events-consume" : "promotion-login-events-publish", cancellationToken);
        if (consuming)
        {
            _consuming = connection;
        }
        else
        {
            _publishing = connection;
        }

        return connection;
    }

    // A passive declare of a missing queue closes its channel (404), so each queue gets its own.
    private static async Task<QueueDepth?> DeclarePassiveAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            await channel.CloseAsync(cancellationToken);
            return new QueueDepth(queue, ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == NotFound)
        {
            return null;
        }
    }

    private sealed class PartitionReader(RabbitMqLoginEventTransport transport, IChannel channel, int partition) : ILoginEventQueueReader
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TransportMessage> _arrived = new();
        private readonly SemaphoreSlim _settle = new(1, 1);

        public bool IsOpen => channel.IsOpen;

        public Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
        {
            // The body's memory belongs to the client once this returns.
            _arrived.Enqueue(new TransportMessage(delivery.Body.ToArray(), delivery.Redelivered, delivery.DeliveryTag, TraceParentOf(delivery.BasicProperties)));
            return Task.CompletedTask;
        }

        // AMQP carries string headers as bytes; a producer's header of another type is ignored.
        private static string? TraceParentOf(IReadOnlyBasicProperties properties) =>
            properties.Headers?.TryGetValue(LoginEventQueues.TraceParentHeader, out var value) == true
                ? value switch { byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes), string text => text, _ => null }
                : null;

        public IReadOnlyList<TransportMessage> Take(int max)
        {
            var taken = new List<TransportMessage>(Math.Min(max, _arrived.Count));
            while (taken.Count < max && _arrived.TryDequeue(out var message))
            {
                taken.Add(message);
            }

            return taken;
        }

        public async Task AckAsync(TransportMessage message, CancellationToken cancellationToken)
        {
            await _settle.WaitAsync(cancellationToken);
            try
            {
                await channel.BasicAckAsync((ulong)message.Handle, multiple: false, cancellationToken);
            }
            finally
            {
                _settle.Release();
            }
        }

        public async Task DeadLetterAsync(TransportMessage message, string reason, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, object?>
            {
                [LoginEventQueues.ReasonHeader] = reason,
                [LoginEventQueues.PartitionHeader] = partition,
            };
            if (message.TraceParent is { } traceParent)
            {
                headers[LoginEventQueues.TraceParentHeader] = traceParent;
            }

            // Confirmed in the dead-letter queue first, acknowledged after: a crash in between
            // leaves a copy in both, never in neither.
            await transport.PublishAsync(string.Empty, LoginEventQueues.DeadLetterQueue, message.Body, headers, cancellationToken);
            await AckAsync(message, cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (channel.IsOpen)
                {
                    await channel.CloseAsync();
                }
            }
            catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or IOException)
            {
                // closing anyway
            }

            await channel.DisposeAsync();
            _settle.Dispose();
        }
    }
}
