using StackExchange.Redis;

namespace Promotion.TestSupport;

/// <summary>A Redis key prefix for one test class; every key under it is deleted afterwards.</summary>
public sealed class TemporaryRedisPrefix : IAsyncLifetime
{
    public string Prefix { get; } = "promotion-t:" + Guid.NewGuid().ToString("N")[..12] + ":";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync() => Connection = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);

    public async Task DisposeAsync()
    {
        foreach (var endpoint in Connection.GetEndPoints())
        {
            var server = Connection.GetServer(endpoint);
            var keys = server.Keys(pattern: Prefix + "*", pageSize: 1000).ToArray();
            if (keys.Length > 0)
            {
                await Connection.GetDatabase().KeyDeleteAsync(keys);
            }
        }

        Connection.Dispose();
    }
}
