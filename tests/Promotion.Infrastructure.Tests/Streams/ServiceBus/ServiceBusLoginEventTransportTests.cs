using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Streams;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.Streams;
using Promotion.Infrastructure.Streams.ServiceBus;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Streams.ServiceBus;

/// <summary>
/// The Service Bus transport behind the login-event queue adapter, on the SDK's own test doubles
/// (its clients are built to be subclassed; received messages come from ServiceBusModelFactory):
/// no Service Bus namespace or emulator runs here.
/// </summary>
public sealed class ServiceBusLoginEventTransportTests : IAsyncLifetime
{
    private const int Partitions = 2;
    private readonly FakeNamespace _namespace = new();
    private ServiceBusLoginEventTransport _transport = null!;
    private LoginEventQueueAdapter _adapter = null!;

    public Task InitializeAsync()
    {
        _transport = new ServiceBusLoginEventTransport(_namespace, administration: null, prefetch: 4, NullLogger<ServiceBusLoginEventTransport>.Instance);
        _adapter = new LoginEventQueueAdapter("login-events", _transport, new LoginPartitionQueueMapper("login-events", Partitions), NullLoggerFactory.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _transport.DisposeAsync();

    private static QueueId Queue(int partition) => new LoginPartitionQueueMapper("login-events", Partitions).GetAllQueues().ElementAt(partition);

    [Fact]
    public async Task A_produced_batch_is_sent_to_its_partition_queue_as_the_json_array()
    {
        await _adapter.QueueMessageBatchAsync(LoginStreams.Partition(1), [new LoginEvent(42, DateTimeOffset.Parse("2026-05-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture))], null, null);

        var sent = Assert.Single(_namespace.Sent);
        Assert.Equal("promotion-login-events.1", sent.Queue);
        Assert.Equal("application/json", sent.Message.ContentType);
        Assert.Equal("""[{"memberId":42,"at":"2026-05-01T12:00:00.0000000+00:00"}]""", sent.Message.Body.ToString());
        Assert.False(sent.Message.ApplicationProperties.ContainsKey(LoginEventQueues.TraceParentHeader));
    }

    [Fact]
    public async Task A_batchs_trace_context_travels_in_the_traceparent_property_to_its_events()
    {
        const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await _adapter.QueueMessageBatchAsync(LoginStreams.Partition(0), [new LoginEvent(7, DateTimeOffset.UtcNow, TraceParent)], null, null);
        Assert.Equal(TraceParent, Assert.Single(_namespace.Sent).Message.ApplicationProperties[LoginEventQueues.TraceParentHeader]);

        _namespace.Arrive("promotion-login-events.0", """[{"memberId": 8, "at": "2026-05-01T12:00:00Z"}, {"memberId": 9, "at": "2026-05-01T12:00:00Z"}]""", TraceParent);
        var receiver = _adapter.CreateReceiver(Queue(0));
        await receiver.Initialize(TimeSpan.FromSeconds(5));
        var taken = new List<IBatchContainer>();
        await Eventually.TrueAsync(async () =>
        {
            taken.AddRange(await receiver.GetQueueMessagesAsync(10, default));
            return taken.Count == 1;
        }, TimeSpan.FromSeconds(10), "the traced message");
        Assert.All(taken[0].GetEvents<LoginEvent>(), e => Assert.Equal(TraceParent, e.Item1.TraceParent));
        await receiver.MessagesDeliveredAsync(taken, default);
        await receiver.Shutdown(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Messages_are_completed_after_delivery_dead_lettered_with_their_reason_when_malformed_or_failing_and_come_back_when_not_settled()
    {
        _namespace.Arrive("promotion-login-events.0", """[{"memberId": 1, "at": "2026-05-01T12:00:00Z"}]""");
        _namespace.Arrive("promotion-login-events.0", "not json");
        _namespace.Arrive("promotion-login-events.0", """[{"memberId": 2, "at": "2026-05-01T12:00:00Z"}, {"memberId": 0, "at": "2026-05-01T12:00:00Z"}]""");
        _namespace.Arrive("promotion-login-events.0", """[{"memberId": 3, "at": "2026-05-01T12:00:00Z"}]""");
        _namespace.Arrive("promotion-login-events.0", """[{"memberId": 4, "at": "2026-05-01T12:00:00Z"}]""");
        var receiver = (LoginEventQueueReceiver)_adapter.CreateReceiver(Queue(0));
        await receiver.Initialize(TimeSpan.FromSeconds(5));

        var taken = new List<IBatchContainer>();
        await Eventually.TrueAsync(async () =>
        {
            taken.AddRange(await receiver.GetQueueMessagesAsync(10, default));
            return taken.Count >= 4;
        }, TimeSpan.FromSeconds(10), "four deliverable messages");
        Assert.Equal([1L, 2L, 3L, 4L], taken.Select(c => c.GetEvents<LoginEvent>().Single().Item1.MemberId));

        await receiver.MessagesDeliveredAsync([taken[0], taken[1]], default);
        await receiver.DeadLetterUndeliveredAsync(taken[2].SequenceToken, "kept failing");

        Assert.Equal(["""[{"memberId": 1, "at": "2026-05-01T12:00:00Z"}]"""], _namespace.Completed.Select(m => m.Body.ToString()));
        Assert.Equal(3, _namespace.DeadLettered.Count);
        Assert.Contains(_namespace.DeadLettered, d => d.Reason.StartsWith("the body is not JSON", StringComparison.Ordinal) && (string)d.Properties[LoginEventQueues.ReasonHeader] == d.Reason);
        Assert.Contains(_namespace.DeadLettered, d => d.Reason.Contains("[1].memberId must be a positive integer", StringComparison.Ordinal));
        Assert.Contains(_namespace.DeadLettered, d => d.Reason == "kept failing" && d.Message.Body.ToString().Contains("\"memberId\": 3", StringComparison.Ordinal));

        // The silo goes away with member 4 unsettled: its lock runs out and the queue hands it out again.
        await receiver.Shutdown(TimeSpan.FromSeconds(5));
        Assert.Equal(["""[{"memberId": 4, "at": "2026-05-01T12:00:00Z"}]"""], _namespace.Abandoned.Select(m => m.Body.ToString()));
    }

    [Fact]
    public async Task Without_an_administration_client_depths_are_unknown_and_declaring_checks_nothing()
    {
        await _transport.DeclareAsync(Partitions, default);
        var depths = await _transport.ReadDepthsAsync(Partitions, default);
        Assert.Equal(["promotion-login-events.0", "promotion-login-events.1"], depths.Select(d => d.Name));
        Assert.All(depths, d => Assert.Null(d.Messages));
    }

    /// <summary>A Service Bus namespace in memory, through the SDK's mockable client types.</summary>
#pragma warning disable CA2215 // the SDK's mocking constructors open nothing the base DisposeAsync could close
    private sealed class FakeNamespace : ServiceBusClient
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<ServiceBusReceivedMessage>> _queues = new();

        public ConcurrentQueue<(string Queue, ServiceBusMessage Message)> Sent { get; } = new();

        public ConcurrentQueue<ServiceBusReceivedMessage> Completed { get; } = new();

        public ConcurrentQueue<ServiceBusReceivedMessage> Abandoned { get; } = new();

        public List<(ServiceBusReceivedMessage Message, string Reason, IDictionary<string, object> Properties)> DeadLettered { get; } = [];

        public void Arrive(string queue, string body, string? traceParent = null) =>
            _queues.GetOrAdd(queue, _ => new()).Enqueue(ServiceBusModelFactory.ServiceBusReceivedMessage(
                body: BinaryData.FromString(body), messageId: Guid.NewGuid().ToString(), deliveryCount: 1,
                properties: traceParent is null ? null : new Dictionary<string, object> { [LoginEventQueues.TraceParentHeader] = traceParent }));

        public override ServiceBusSender CreateSender(string queueOrTopicName) => new FakeSender(this, queueOrTopicName);

        public override ServiceBusReceiver CreateReceiver(string queueName, ServiceBusReceiverOptions options) => new FakeReceiver(this, queueName);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class FakeSender(FakeNamespace owner, string queue) : ServiceBusSender
        {
            public override string EntityPath => queue;

            public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
            {
                owner.Sent.Enqueue((queue, message));
                return Task.CompletedTask;
            }

            public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }

        private sealed class FakeReceiver(FakeNamespace owner, string queue) : ServiceBusReceiver
        {
            private readonly ConcurrentDictionary<ServiceBusReceivedMessage, byte> _locked = new();
            private bool _closed;

            public override string EntityPath => queue;

            public override bool IsClosed => _closed;

            public override async Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
            {
                var taken = new List<ServiceBusReceivedMessage>();
                var source = owner._queues.GetOrAdd(queue, _ => new());
                while (taken.Count < maxMessages && source.TryDequeue(out var m))
                {
                    _locked[m] = 0;
                    taken.Add(m);
                }

                if (taken.Count == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
                }

                return taken;
            }

            public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
            {
                Assert.True(_locked.TryRemove(message, out _), "completing a message this receiver does not hold");
                owner.Completed.Enqueue(message);
                return Task.CompletedTask;
            }

            public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
            {
                Assert.True(_locked.TryRemove(message, out _), "dead-lettering a message this receiver does not hold");
                lock (owner.DeadLettered)
                {
                    owner.DeadLettered.Add((message, deadLetterReason, propertiesToModify));
                }

                return Task.CompletedTask;
            }

            public override ValueTask DisposeAsync()
            {
                // Closing: what is still locked is handed out again once its lock runs out.
                _closed = true;
                foreach (var m in _locked.Keys)
                {
                    owner.Abandoned.Enqueue(m);
                }

                _locked.Clear();
                return ValueTask.CompletedTask;
            }
        }
    }
#pragma warning restore CA2215
}
