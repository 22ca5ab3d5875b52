using Promotion.TestSupport;

namespace Promotion.Host.Tests;

/// <summary>
/// Throw-away servers (<see cref="TemporaryServers"/>) and the settings of a distributed-profile
/// host on them with an operator key.
/// </summary>
public sealed class DistributedServers : IAsyncLifetime
{
    /// <summary>The operator key the settings configure.</summary>
    public const string OperatorKey = "operator-key-0123456789abcdef";

    private readonly TemporaryServers _servers = new();

    public TemporaryDatabase Database => _servers.Database;

    public TemporaryRedisPrefix Redis => _servers.Redis;

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    /// <summary>A distributed host on these servers (simulated sends), with <paramref name="extra"/> added or replacing.</summary>
    public PromotionHostFactory Host(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Promotion:Profile"] = "Distributed",
            ["ConnectionStrings:Postgres"] = _servers.Database.ConnectionString,
            ["ConnectionStrings:Redis"] = TestServers.Redis,
            ["ConnectionStrings:RabbitMq"] = _servers.Broker.ConnectionString,
            ["Promotion:Redis:KeyPrefix"] = _servers.Redis.Prefix,
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
