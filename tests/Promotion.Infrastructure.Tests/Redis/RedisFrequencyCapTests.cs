using Microsoft.Extensions.Options;
using Promotion.Engine.HotGoods;
using Promotion.Infrastructure.Redis;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Redis;

public sealed class RedisFrequencyCapTests : FrequencyCapContract, IAsyncLifetime
{
    private readonly TemporaryRedisPrefix _redis = new();
    private RedisFrequencyCap _cap = null!;

    protected override IFrequencyCap Cap => _cap;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _cap = new RedisFrequencyCap(_redis.Connection, new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = _redis.Prefix })));
    }

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task The_cap_lives_under_the_prefix_for_the_period_then_is_free_again()
    {
        var holder = Guid.NewGuid();
        Assert.True(await _cap.TryTakeAsync(9, holder, TimeSpan.FromMilliseconds(400), Now, default));
        var db = _redis.Connection.GetDatabase();
        Assert.Equal(holder.ToString("N"), (string?)await db.StringGetAsync(_redis.Prefix + "cap:hot-goods:9"));
        var ttl = await db.KeyTimeToLiveAsync(_redis.Prefix + "cap:hot-goods:9");
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(400));
        Assert.False(await _cap.TryTakeAsync(9, Guid.NewGuid(), TimeSpan.FromMilliseconds(400), Now, default));

        var next = Guid.NewGuid();
        await Eventually.TrueAsync(async () => await _cap.TryTakeAsync(9, next, Week, Now, default), TimeSpan.FromSeconds(5), "the cap to expire");
        Assert.True(await db.KeyTimeToLiveAsync(_redis.Prefix + "cap:hot-goods:9") > TimeSpan.FromDays(6));
    }
}
