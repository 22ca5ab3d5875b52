using Azure;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Microsoft.Extensions.Logging;
using Promotion.Engine.Stats;

namespace Promotion.Infrastructure.Streams.ServiceBus;

/// <summary>
/// The login-event partitions on Azure Service Bus: queue <c>promotion-login-events.n</c> per
/// partition (created at start when the connection may manage the namespace), each with its own
/// dead-letter sub-queue. A send returns once Service Bus accepted the message. Each partition is
/// read in peek-lock mode: a message is completed after its delivery, or dead-lettered with the
/// reason (<c>DeadLetterReason</c> and the <see cref="LoginEventQueues.ReasonHeader"/> property);
/// a message whose lock runs out (its silo died) is delivered again. Never run against a real
/// namespace here: its code is tested with the SDK's test doubles.
/// </summary>
internal sealed partial class ServiceBusLoginEventTransport(
    ServiceBusClient client,
    ServiceBusAdministrationClient? administration,
    int prefetch,
    ILogger<ServiceBusLoginEventTransport> logger) : ILoginEventTransport
{
    // Service Bus keeps a dead-letter reason of at most 4,096 characters.
    private const int MaxReason = 4_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, ServiceBusSender> _senders = new();

    public string Kind => "Azure Service Bus";

    public async Task DeclareAsync(int partitions, CancellationToken cancellationToken)
    {
        if (administration is null)
        {
            return;
        }

        for (var p = 0; p < partitions; p++)
        {
            var queue = LoginEventQueues.Queue(p);
            try
            {
                if (!(await administration.QueueExistsAsync(queue, cancellationToken)).Value)
                {
                    await administration.CreateQueueAsync(new CreateQueueOptions(queue) { MaxDeliveryCount = 10, DeadLetteringOnMessageExpiration = true }, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or RequestFailedException or ServiceBusException)
            {
                // A send/listen-only connection cannot manage the namespace: the queues must exist already.
                LogDeclareFailed(logger, queue, ex);
            }
        }
    }

    // The client connects lazily and reconnects by itself; all it can tell without sending is whether it was closed.
    public Task CheckAsync(CancellationToken cancellationToken) =>
        client.IsClosed ? throw new InvalidOperationException("the Service Bus client is closed") : Task.CompletedTask;

    public Task PublishAsync(int partition, ReadOnlyMemory<byte> body, string? traceParent, CancellationToken cancellationToken)
    {
        var sender = _senders.GetOrAdd(partition, p => client.CreateSender(LoginEventQueues.Queue(p)));
        var message = new ServiceBusMessage(body) { ContentType = "application/json" };
        if (traceParent is not null)
        {
            message.ApplicationProperties[LoginEventQueues.TraceParentHeader] = traceParent;
        }

        return sender.SendMessageAsync(message, cancellationToken);
    }

    public Task<ILoginEventQueueReader> OpenAsync(int partition, CancellationToken cancellationToken)
    {
        var receiver = client.CreateReceiver(LoginEventQueues.Queue(partition), new ServiceBusReceiverOptions
        {
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
            PrefetchCount = Math.Max(0, prefetch),
        });
        return Task.FromResult<ILoginEventQueueReader>(new PartitionReader(receiver, Math.Max(1, prefetch), logger));
    }

    public async Task<IReadOnlyList<QueueDepth>> ReadDepthsAsync(int partitions, CancellationToken cancellationToken)
    {
        var names = Enumerable.Range(0, partitions).Select(LoginEventQueues.Queue).ToList();
        if (administration is null)
        {
            return [.. names.Select(q => new QueueDepth(q, null, null, "Service Bus: no administration client"))];
        }

        var depths = new List<QueueDepth>(partitions + 1);
        long dead = 0;
        foreach (var queue in names)
        {
            try
            {
                var properties = (await administration.GetQueueRuntimePropertiesAsync(queue, cancellationToken)).Value;
                depths.Add(new QueueDepth(queue, properties.ActiveMessageCount, null));
                dead += properties.DeadLetterMessageCount;
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or RequestFailedException or ServiceBusException)
            {
                depths.Add(new QueueDepth(queue, null, null, "Service Bus: " + ex.Message));
            }
        }

        depths.Add(new QueueDepth(LoginEventQueues.Exchange + ".*/$deadletterqueue", dead, null, "dead letters of every partition queue (reason in DeadLetterReason)", DeadLetter: true));
        return depths;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
        {
            await sender.DisposeAsync();
        }

        await client.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check or create the Service Bus queue {Queue}; it must exist already")]
    private static partial void LogDeclareFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from the Service Bus queue {Queue} failed; the partition's consumer is reopened")]
    private static partial void LogReceiveFailed(ILogger logger, string queue, Exception exception);

    /// <summary>Receives in the background up to the prefetch limit of unsettled messages; settling frees room.</summary>
    private sealed class PartitionReader : ILoginEventQueueReader
    {
        private readonly ServiceBusReceiver _receiver;
        private readonly ILogger _logger;
        private readonly SemaphoreSlim _room;
        private readonly System.Collections.Concurrent.ConcurrentQueue<TransportMessage> _arrived = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private volatile bool _failed;

        public PartitionReader(ServiceBusReceiver receiver, int limit, ILogger logger)
        {
            _receiver = receiver;
            _logger = logger;
            _room = new SemaphoreSlim(limit, limit);
            _loop = Task.Run(ReceiveLoopAsync);
        }

        public bool IsOpen => !_failed && !_receiver.IsClosed;

        public IReadOnlyList<TransportMessage> Take(int max)
        {
            var taken = new List<TransportMessage>();
            while (taken.Count < max && _arrived.TryDequeue(out var message))
            {
                taken.Add(message);
            }

            return taken;
        }

        public async Task AckAsync(TransportMessage message, CancellationToken cancellationToken)
        {
            await _receiver.CompleteMessageAsync((ServiceBusReceivedMessage)message.Handle, cancellationToken);
            _room.Release();
        }

        public async Task DeadLetterAsync(TransportMessage message, string reason, CancellationToken cancellationToken)
        {
            var shortReason = reason.Length > MaxReason ? reason[..MaxReason] : reason;
            await _receiver.DeadLetterMessageAsync(
                (ServiceBusReceivedMessage)message.Handle,
                new Dictionary<string, object> { [LoginEventQueues.ReasonHeader] = shortReason },
                shortReason,
                "promotion login-event batch",
                cancellationToken);
            _room.Release();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // stopped
            }

            // Unsettled messages return to the queue when their locks run out.
            await _receiver.DisposeAsync();
            _stop.Dispose();
            _room.Dispose();
        }

        private async Task ReceiveLoopAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await _room.WaitAsync(_stop.Token);
                    var room = 1;
                    while (_room.Wait(0))
                    {
                        room++;
                    }

                    IReadOnlyList<ServiceBusReceivedMessage> received;
                    try
                    {
                        received = await _receiver.ReceiveMessagesAsync(room, TimeSpan.FromSeconds(1), _stop.Token);
                    }
                    catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception ex) when (ex is ServiceBusException or UnauthorizedAccessException or ObjectDisposedException)
                    {
                        LogReceiveFailed(_logger, _receiver.EntityPath, ex);
                        _failed = true;
                        return;
                    }

                    foreach (var message in received)
                    {
                        var traceParent = message.ApplicationProperties.TryGetValue(LoginEventQueues.TraceParentHeader, out var value) ? value as string : null;
                        _arrived.Enqueue(new TransportMessage(message.Body.ToMemory(), message.DeliveryCount > 1, message, traceParent));
                    }

                    // Room not used by this receive is given back.
                    if (room > received.Count)
                    {
                        _room.Release(room - received.Count);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // stopped
            }
        }
    }
}
