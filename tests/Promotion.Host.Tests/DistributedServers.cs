using Promotion.TestSupport;

namespace Promotion.Host.Tests;

/// <summary>
/// A throw-away database, broker vhost and Redis prefix on the real servers, and the settings of a
/// distributed-profile host on them with an operator key; everything is removed afterwards.
/// </summary>
public sealed class DistributedServers : IAsyncLifetime
{
    /// <summary>The operator key the settings configure.</summary>
    public const string OperatorKey = "operator-key-0123456789abcdef";

    public TemporaryDatabase Database { get; } = new();

    public TemporaryVirtualHost VirtualHost { get; } = new();

    public TemporaryRedisPrefix Redis { get; } = new();

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await VirtualHost.InitializeAsync();
        await Redis.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A distributed host on these servers (simulated sends), with <paramref name="extra"/> added or replacing.</summary>
    public PromotionHostFactory Host(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Promotion:Profile"] = "Distributed",
            ["ConnectionStrings:Postgres"] = Database.ConnectionString,
            ["ConnectionStrings:Redis"] = TestServers.Redis,
            ["ConnectionStrings:RabbitMq"] = VirtualHost.ConnectionString,
            ["Promotion:Redis:KeyPrefix"] = Redis.Prefix,
            ["Promotion:Senders:Simulated:Enabled"] = "true",
            ["Promotion:Security:OperatorApiKeys:0"] = OperatorKey,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return new PromotionHostFactory(settings);
    }
}
