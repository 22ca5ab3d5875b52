using StackExchange.Redis;

namespace Promotion.TestSupport;

/// <summary>A Redis key prefix for one test class; every key under it is deleted afterwards.</summary>
public sealed class TemporaryRedisPrefix : IAsyncLifetime
{
    public string Prefix { get; } = "promotion-t:" + Guid.NewGuid().ToString("N")[..12] + ":";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The clean-up SCAN is a synchronous call; the default 1 s is too short on a busy two-core
        // machine where the hosts under test may still be flushing their last writes.
        var options = ConfigurationOptions.Parse(TestServers.Redis);
        options.SyncTimeout = (int)TimeSpan.FromSeconds(30).TotalMilliseconds;
        Connection = await ConnectionMultiplexer.ConnectAsync(options);
    }

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
