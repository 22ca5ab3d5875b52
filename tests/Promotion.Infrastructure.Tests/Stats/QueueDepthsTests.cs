using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;
using Promotion.Infrastructure.Messaging;
using Promotion.TestSupport;
using RabbitMQ.Client;

namespace Promotion.Infrastructure.Tests.Stats;

public sealed class RabbitMqQueueDepthsTests : IAsyncLifetime
{
    private readonly TemporaryVirtualHost _vhost = new();

    public Task InitializeAsync() => _vhost.InitializeAsync();

    public Task DisposeAsync() => _vhost.DisposeAsync();

    [Fact]
    public async Task Depths_come_from_passive_declares_with_the_error_queue_once_it_exists()
    {
        var routes = new JobRoutes().Route<Promotion.Engine.Coupons.LoginEventBatch>("t-plan", consume: false);
        await using var depths = new RabbitMqQueueDepths(routes, _vhost.ConnectionString);

        var before = Assert.Single(await depths.ReadAsync(default));
        Assert.Equal(new QueueDepth("t-plan", 0, 0, "not declared yet"), before);

        var factory = new ConnectionFactory { Uri = new Uri(_vhost.ConnectionString) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("t-plan", durable: true, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync("t-plan_error", durable: true, exclusive: false, autoDelete: false);
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync(string.Empty, "t-plan", true, new BasicProperties(), new byte[] { 1 });
            }

            await channel.BasicPublishAsync(string.Empty, "t-plan_error", true, new BasicProperties(), new byte[] { 1 });
        }

        // Publishes are confirmed by the time the channel closes; the declare counts at once.
        await Eventually.TrueAsync(async () => (await depths.ReadAsync(default))[0].Messages == 3, TimeSpan.FromSeconds(10), "three messages in t-plan");
        var after = await depths.ReadAsync(default);
        Assert.Equal([new QueueDepth("t-plan", 3, 0), new QueueDepth("t-plan_error", 1, 0, "failed all retries")], after);
    }

    [Fact]
    public async Task An_unreachable_broker_gives_unknown_depths_with_the_reason()
    {
        var routes = new JobRoutes().Route<Promotion.Engine.Coupons.LoginEventBatch>("t-plan", consume: false);
        await using var depths = new RabbitMqQueueDepths(routes, "amqp://guest:guest@127.0.0.1:1/nowhere");

        var only = Assert.Single(await depths.ReadAsync(default));

        Assert.Null(only.Messages);
        Assert.StartsWith("broker unreachable", only.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_in_memory_transport_says_its_depths_are_unknown()
    {
        var routes = new JobRoutes().Route<Promotion.Engine.Coupons.LoginEventBatch>("t-plan", consume: true);

        var only = Assert.Single(await new InMemoryQueueDepths(routes).ReadAsync(default));

        Assert.Equal(("t-plan", (long?)null, (long?)null), (only.Name, only.Messages, only.Consumers));
        Assert.Contains("in-memory", only.Note, StringComparison.Ordinal);
    }
}
