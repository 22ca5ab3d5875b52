using Microsoft.Extensions.Options;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.Redis;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Tests.Redis;

public sealed class RedisCouponLedgerTests : CouponLedgerContract, IAsyncLifetime
{
    private readonly TemporaryRedisPrefix _redis = new();
    private RedisKeys _keys = null!;
    private RedisCouponLedger _ledger = null!;

    protected override ICouponLedger Ledger => _ledger;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _keys = new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = _redis.Prefix }));
        _ledger = new RedisCouponLedger(_redis.Connection, _keys);
    }

    public Task DisposeAsync() => _redis.DisposeAsync();

    // The shared server serves other tests: "flushing" deletes this ledger's keys only (found from
    // its campaign hash, not by a SCAN of a keyspace others may be filling). The real FLUSHALL runs
    // against a private server below.
    protected override async Task FlushAsync()
    {
        var db = _redis.Connection.GetDatabase();
        var campaigns = await _ledger.ListCampaignIdsAsync(default);
        RedisKey[] keys = [_keys.CouponCampaigns, _keys.CouponsRestored, _keys.CouponsRestoreLock,
            .. campaigns.SelectMany(id => new[] { _keys.CouponIssued(id), _keys.CouponStock(id) })];
        await db.KeyDeleteAsync(keys);
    }

    protected override Task<IReadOnlyDictionary<long, bool>> IssuedAsync(Guid campaignId) => ReadIssuedAsync(_redis.Connection, _keys, campaignId);

    protected override async Task<long?> StockAsync(Guid campaignId)
    {
        var value = await _redis.Connection.GetDatabase().StringGetAsync(_keys.CouponStock(campaignId));
        return value.IsNull ? null : (long)value;
    }

    private static async Task<IReadOnlyDictionary<long, bool>> ReadIssuedAsync(ConnectionMultiplexer redis, RedisKeys keys, Guid campaignId) =>
        (await redis.GetDatabase().HashGetAllAsync(keys.CouponIssued(campaignId))).ToDictionary(e => (long)e.Name, e => e.Value == "w");

    [Fact]
    public async Task The_ledger_lives_under_the_configured_prefix()
    {
        await ReadyAsync();
        var rule = Rule(limited: true);
        await _ledger.PutCampaignAsync(rule, 3, default);
        await DecideOneAsync(rule.Id, Login(1));
        var db = _redis.Connection.GetDatabase();
        Assert.True(await db.HashExistsAsync(_redis.Prefix + "coupons:campaigns", rule.Id.ToString("D")));
        Assert.Equal("p", (string?)await db.HashGetAsync(_redis.Prefix + $"coupons:{rule.Id:D}:issued", 1));
        Assert.Equal(2, (long)await db.StringGetAsync(_redis.Prefix + $"coupons:{rule.Id:D}:stock"));
        Assert.True(await db.KeyExistsAsync(_redis.Prefix + "coupons:restored"));
    }

    [Fact]
    public async Task After_a_real_FLUSHALL_the_ledger_refuses_to_decide_and_after_SCRIPT_FLUSH_it_loads_its_scripts_again()
    {
        await using var server = new PrivateRedisServer();
        await server.StartAsync();
        using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var keys = new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = "p:" }));
        var ledger = new RedisCouponLedger(redis, keys);
        await BeginAndEndAsync(ledger);
        var rule = Rule(limited: true);
        await ledger.PutCampaignAsync(rule, 100, default);
        Assert.NotNull(Assert.Single(await ledger.DecideAsync([Login(1)], Now, default)));

        await server.FlushAllAsync();
        Assert.Null(Assert.Single(await ledger.DecideAsync([Login(2)], Now, default)));
        Assert.Empty(await ReadIssuedAsync(redis, keys, rule.Id));

        await BeginAndEndAsync(ledger);
        await ledger.RestoreCampaignAsync(rule, 99, default);
        await server.FlushScriptsAsync();
        var decision = Assert.Single(await ledger.DecideAsync([Login(2)], Now, default));
        Assert.Equal(CouponDecisionOutcome.Issued, decision!.Campaigns.Single().Outcome);
        Assert.Equal(98, (long)await redis.GetDatabase().StringGetAsync(keys.CouponStock(rule.Id)));
    }

    [Fact]
    public async Task While_the_server_is_down_calls_fail_fast_and_after_a_restart_the_ledger_is_empty_and_works_again()
    {
        await using var server = new PrivateRedisServer();
        await server.StartAsync();
        var options = ConfigurationOptions.Parse(server.ConnectionString);
        options.AbortOnConnectFail = false;
        using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var ledger = new RedisCouponLedger(redis, new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = "p:" })));
        await BeginAndEndAsync(ledger);
        var rule = Rule();
        await ledger.PutCampaignAsync(rule, null, default);
        Assert.NotNull(Assert.Single(await ledger.DecideAsync([Login(1)], Now, default)));

        await server.StopAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => ledger.DecideAsync([Login(2)], Now, timeout.Token));
        }

        await server.StartAsync();
        IReadOnlyList<LoginDecision?> after = [];
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                after = await ledger.DecideAsync([Login(2)], Now, default);
                return true;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the multiplexer to reconnect");
        Assert.Null(Assert.Single(after));
        await BeginAndEndAsync(ledger);
        await ledger.RestoreCampaignAsync(rule, null, default);
        Assert.Equal(CouponDecisionOutcome.Issued, (await ledger.DecideAsync([Login(2)], Now, default))[0]!.Campaigns.Single().Outcome);
    }

    private static async Task BeginAndEndAsync(RedisCouponLedger ledger)
    {
        Assert.Equal(RestoreStart.Began, await ledger.TryBeginRestoreAsync("t", TimeSpan.FromMinutes(1), default));
        await ledger.EndRestoreAsync("t", completed: true, default);
    }
}
