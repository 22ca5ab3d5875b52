namespace Promotion.TestSupport;

/// <summary>
/// A throw-away PostgreSQL database, RabbitMQ vhost and Redis prefix on the servers of infra/up.sh:
/// what a distributed-profile host needs, all removed afterwards.
/// </summary>
public sealed class TemporaryServers : IAsyncLifetime
{
    public TemporaryDatabase Database { get; } = new();

    public TemporaryVirtualHost Broker { get; } = new();

    public TemporaryRedisPrefix Redis { get; } = new();

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await Broker.InitializeAsync();
        await Redis.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}
