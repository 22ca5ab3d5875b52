using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.Streams;
using Promotion.Infrastructure.Streams.RabbitMq;
using Promotion.TestSupport;
using RabbitMQ.Client;

namespace Promotion.Infrastructure.Tests.Streams.RabbitMq;

/// <summary>The queue adapter's receiver on a real RabbitMQ, in a throw-away vhost.</summary>
public sealed class RabbitMqLoginEventReceiverTests : IAsyncLifetime
{
    private const int Partitions = 2;
    private readonly TemporaryVirtualHost _vhost = new();
    private RabbitMqLoginEventTransport _transport = null!;
    private LoginEventQueueAdapter _adapter = null!;

    public async Task InitializeAsync()
    {
        await _vhost.InitializeAsync();
        _transport = new RabbitMqLoginEventTransport(_vhost.ConnectionString, prefetch: 16, NullLogger<RabbitMqLoginEventTransport>.Instance);
        await _transport.DeclareAsync(Partitions, default);
        _adapter = new LoginEventQueueAdapter("login-events", _transport, new LoginPartitionQueueMapper("login-events", Partitions), NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await _transport.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    private static QueueId Queue(int partition) => new LoginPartitionQueueMapper("login-events", Partitions).GetAllQueues().ElementAt(partition);

    private static LoginEvent[] Events(params long[] members) => [.. members.Select(m => new LoginEvent(m, DateTimeOffset.UtcNow))];

    [Fact]
    public async Task A_produced_batch_reaches_its_partition_and_is_acknowledged_only_when_reported_delivered()
    {
        await _adapter.QueueMessageBatchAsync(LoginStreams.Partition(1), Events(1, 2, 3), null, null);
        var receiver = _adapter.CreateReceiver(Queue(1));
        await receiver.Initialize(TimeSpan.FromSeconds(5));

        var taken = await TakeAsync(receiver, 1);
        var container = Assert.Single(taken);
        Assert.Equal(LoginStreams.Partition(1), container.StreamId);
        Assert.Equal([1L, 2L, 3L], container.GetEvents<LoginEvent>().Select(e => e.Item1.MemberId));
        Assert.Equal(0u, await ReadyAsync(LoginEventQueues.Queue(1)));

        await receiver.MessagesDeliveredAsync(taken, default);
        await receiver.Shutdown(TimeSpan.FromSeconds(5));
        // Acknowledged: closing the consumer gives nothing back.
        Assert.Equal(0u, await ReadyAsync(LoginEventQueues.Queue(1)));
    }

    [Fact]
    public async Task What_a_receiver_held_unacknowledged_comes_back_when_it_goes_away()
    {
        await _adapter.QueueMessageBatchAsync(LoginStreams.Partition(0), Events(4), null, null);
        await _adapter.QueueMessageBatchAsync(LoginStreams.Partition(0), Events(5), null, null);
        var first = _adapter.CreateReceiver(Queue(0));
        await first.Initialize(TimeSpan.FromSeconds(5));
        var taken = await TakeAsync(first, 2);
        await first.MessagesDeliveredAsync([taken[0]], default);

        // Its silo dies: the consumer's channel closes without the second ack, which the broker hands out again.
        await first.Shutdown(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(async () => await ReadyAsync(LoginEventQueues.Queue(0)) == 1, TimeSpan.FromSeconds(10), "the unacked message back in the queue");
        var second = _adapter.CreateReceiver(Queue(0));
        await second.Initialize(TimeSpan.FromSeconds(5));
        var again = Assert.Single(await TakeAsync(second, 1));
        Assert.Equal(5L, again.GetEvents<LoginEvent>().Single().Item1.MemberId);
        await second.MessagesDeliveredAsync([again], default);
        await second.Shutdown(TimeSpan.FromSeconds(5));
        Assert.Equal(0u, await ReadyAsync(LoginEventQueues.Queue(0)));
    }

    [Fact]
    public async Task Malformed_bodies_and_events_and_failed_deliveries_go_to_the_dead_letter_queue_with_their_reason_and_the_partition_goes_on()
    {
        await PublishRawAsync(0, "this is not json");
        await PublishRawAsync(0, """[{"memberId": 10, "at": "2026-05-01T12:00:00Z"}, {"memberId": -5, "at": "2026-05-01T12:00:00Z"}]""");
        await PublishRawAsync(0, """[{"memberId": 11, "at": "2026-05-01T12:00:00Z"}]""");
        await PublishRawAsync(0, """{"events": [{"memberId": "12", "at": "2026-05-01T12:00:00+02:00"}]}""");
        var receiver = (LoginEventQueueReceiver)_adapter.CreateReceiver(Queue(0));
        await receiver.Initialize(TimeSpan.FromSeconds(5));

        // The body that is not JSON is dead-lettered at once; the others are delivered.
        var taken = await TakeAsync(receiver, 3);
        Assert.Equal([[10L], [11L], [12L]], taken.Select(c => c.GetEvents<LoginEvent>().Select(e => e.Item1.MemberId).ToArray()));
        var failures = await new LoginEventQueueAdapterFactory("login-events", _transport, Microsoft.Extensions.Options.Options.Create(new LoginEventOptions { Partitions = Partitions }), NullLoggerFactory.Instance)
            .GetDeliveryFailureHandler(Queue(0));

        // The batch with a malformed event is settled once its good event was delivered; the one
        // whose delivery kept failing is dead-lettered by the failure handler, never reported delivered.
        await receiver.MessagesDeliveredAsync([taken[0], taken[2]], default);
        await receiver.DeadLetterUndeliveredAsync(taken[1].SequenceToken, "kept failing");

        var dead = await DrainDeadLettersAsync(3);
        Assert.Contains(dead, d => d.Reason.StartsWith("the body is not JSON", StringComparison.Ordinal) && d.Body == "this is not json");
        Assert.Contains(dead, d => d.Reason.Contains("[1].memberId must be a positive integer", StringComparison.Ordinal) && d.Partition == 0);
        Assert.Contains(dead, d => d.Reason == "kept failing" && d.Body.Contains("11", StringComparison.Ordinal));
        Assert.False(failures.ShouldFaultSubsriptionOnError);
        await receiver.Shutdown(TimeSpan.FromSeconds(5));
        Assert.Equal(0u, await ReadyAsync(LoginEventQueues.Queue(0)));
    }

    [Fact]
    public async Task A_batchs_trace_context_travels_in_the_traceparent_header_to_every_event_it_holds()
    {
        const string Published = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        const string Direct = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        await _adapter.QueueMessageBatchAsync(LoginStreams.Partition(1), Events(1, 2).Select(e => e with { TraceParent = Published }), null, null);
        // A direct producer sets the header itself; one that does not leaves the events untraced.
        await PublishRawAsync(1, """[{"memberId": 3, "at": "2026-05-01T12:00:00Z"}]""", Direct);
        await PublishRawAsync(1, """[{"memberId": 4, "at": "2026-05-01T12:00:00Z"}]""");
        var receiver = _adapter.CreateReceiver(Queue(1));
        await receiver.Initialize(TimeSpan.FromSeconds(5));

        var taken = await TakeAsync(receiver, 3);
        Assert.Equal([[Published, Published], [Direct], [null]], taken.Select(c => c.GetEvents<LoginEvent>().Select(e => e.Item1.TraceParent).ToArray()));
        Assert.Equal([1L, 2L, 3L, 4L], taken.SelectMany(c => c.GetEvents<LoginEvent>()).Select(e => e.Item1.MemberId));
        await receiver.MessagesDeliveredAsync(taken, default);
        await receiver.Shutdown(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_publish_is_confirmed_and_one_to_no_partition_fails()
    {
        await _transport.PublishAsync(1, Encoding.UTF8.GetBytes("[]"), null, default);
        Assert.Equal(1u, await ReadyAsync(LoginEventQueues.Queue(1)));

        // Routed nowhere (mandatory): the broker returns it and the publish throws, so the API would answer an error, not 202.
        await Assert.ThrowsAnyAsync<Exception>(() => _transport.PublishAsync(Partitions + 5, Encoding.UTF8.GetBytes("[]"), null, default));
    }

    [Fact]
    public async Task Depths_list_every_partition_and_the_dead_letter_queue()
    {
        await _transport.PublishAsync(1, Encoding.UTF8.GetBytes("[]"), null, default);
        var depths = await _transport.ReadDepthsAsync(Partitions, default);
        Assert.Equal([LoginEventQueues.Queue(0), LoginEventQueues.Queue(1), LoginEventQueues.DeadLetterQueue], depths.Select(d => d.Name));
        Assert.Equal([0L, 1L, 0L], depths.Select(d => d.Messages ?? -1));
        Assert.True(depths[^1].DeadLetter);

        await using var nowhere = new RabbitMqLoginEventTransport("amqp://guest:guest@127.0.0.1:1/nowhere", 1, NullLogger<RabbitMqLoginEventTransport>.Instance);
        var unknown = await nowhere.ReadDepthsAsync(Partitions, default);
        Assert.All(unknown, d => Assert.StartsWith("broker unreachable", d.Note, StringComparison.Ordinal));
    }

    private static async Task<IList<IBatchContainer>> TakeAsync(IQueueAdapterReceiver receiver, int count)
    {
        var taken = new List<IBatchContainer>();
        await Eventually.TrueAsync(async () =>
        {
            taken.AddRange(await receiver.GetQueueMessagesAsync(100, default));
            return taken.Count >= count;
        }, TimeSpan.FromSeconds(10), $"{count} messages");
        Assert.Equal(count, taken.Count);
        Assert.All(taken, c => Assert.IsType<EventSequenceTokenV2>(c.SequenceToken));
        return taken;
    }

    private async Task PublishRawAsync(int partition, string body, string? traceParent = null)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(LoginEventQueues.Exchange, LoginEventQueues.RoutingKey(partition), mandatory: true,
            new BasicProperties
            {
                ContentType = "application/json",
                Persistent = true,
                Headers = traceParent is null ? null : new Dictionary<string, object?> { [LoginEventQueues.TraceParentHeader] = traceParent },
            },
            Encoding.UTF8.GetBytes(body));
    }

    private async Task<uint> ReadyAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    private async Task<List<(string Reason, int Partition, string Body)>> DrainDeadLettersAsync(int expected)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = new List<(string, int, string)>();
        await Eventually.TrueAsync(async () =>
        {
            while (await channel.BasicGetAsync(LoginEventQueues.DeadLetterQueue, autoAck: true) is { } m)
            {
                var headers = m.BasicProperties.Headers!;
                dead.Add((Encoding.UTF8.GetString((byte[])headers[LoginEventQueues.ReasonHeader]!), Convert.ToInt32(headers[LoginEventQueues.PartitionHeader], System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(m.Body.Span)));
            }

            return dead.Count >= expected;
        }, TimeSpan.FromSeconds(10), $"{expected} dead letters");
        return dead;
    }
}
