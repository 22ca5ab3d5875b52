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
        // SCAN through the async Execute: the client's synchronous Keys() times out after 1 s on a
        // busy machine, and a longer sync timeout slows every connect and close of the test.
        var db = Connection.GetDatabase();
        var cursor = 0L;
        do
        {
            var page = (RedisResult[])(await db.ExecuteAsync("SCAN", cursor, "MATCH", Prefix + "*", "COUNT", 1000))!;
            cursor = (long)page[0];
            var keys = (RedisKey[])page[1]!;
            if (keys.Length > 0)
            {
                await db.KeyDeleteAsync(keys);
            }
        }
        while (cursor != 0);

        Connection.Dispose();
    }
}
