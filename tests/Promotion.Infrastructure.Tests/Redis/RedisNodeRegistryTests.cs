using Microsoft.Extensions.Options;
using Promotion.Engine.Nodes;
using Promotion.Infrastructure.Redis;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Redis;

public sealed class RedisNodeRegistryTests : NodeRegistryContract, IAsyncLifetime
{
    private readonly TemporaryRedisPrefix _redis = new();
    private RedisNodeRegistry _registry = null!;

    protected override INodeRegistry Registry => _registry;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _registry = new RedisNodeRegistry(_redis.Connection, new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = _redis.Prefix })));
    }

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Heartbeats_are_stored_under_the_configured_prefix()
    {
        await _registry.BeatAsync(new NodeHeartbeat("p", ["worker"], DateTimeOffset.UtcNow, 0, 0), TimeSpan.FromSeconds(10), default);
        Assert.True(await _redis.Connection.GetDatabase().KeyExistsAsync(_redis.Prefix + "nodes:alive"));
    }
}
