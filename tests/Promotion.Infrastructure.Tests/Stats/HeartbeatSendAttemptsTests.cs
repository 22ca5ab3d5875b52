using Microsoft.Extensions.Options;
using Promotion.Engine.Nodes;
using Promotion.Infrastructure.InMemory;
using Promotion.Infrastructure.Redis;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Stats;

/// <summary>The per-campaign send counts a heartbeat carries come back from every registry as they went in.</summary>
public sealed class HeartbeatSendAttemptsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly TemporaryRedisPrefix _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Redis_and_in_memory_registries_keep_a_heartbeats_send_counts_and_its_absence()
    {
        var redis = new RedisNodeRegistry(_redis.Connection, new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = _redis.Prefix })));
        foreach (INodeRegistry registry in new INodeRegistry[] { redis, new InMemoryNodeRegistry() })
        {
            var campaign = Guid.NewGuid();
            await registry.BeatAsync(new NodeHeartbeat("sender", ["worker"], Now, 3, 1, new Dictionary<Guid, long> { [campaign] = 1234 }), TimeSpan.FromSeconds(10), default);
            await registry.BeatAsync(new NodeHeartbeat("idle", ["api"], Now, 0, 0), TimeSpan.FromSeconds(10), default);

            var alive = await registry.ListAliveAsync(Now, default);

            Assert.Equal(new Dictionary<Guid, long> { [campaign] = 1234 }, alive.Single(n => n.NodeId == "sender").SendAttempts);
            Assert.Null(alive.Single(n => n.NodeId == "idle").SendAttempts);
        }
    }
}
