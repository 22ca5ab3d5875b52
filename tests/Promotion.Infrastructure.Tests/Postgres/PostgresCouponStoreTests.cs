using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.Postgres;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Postgres;

public sealed class PostgresCouponStoreTests : CouponStoreContract, IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();
    private NpgsqlDataSource _source = null!;
    private PostgresCouponStore _store = null!;

    protected override ICouponStore Store => _store;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = _db.CreateDataSource();
        await new SchemaMigrator(_source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);
        _store = new PostgresCouponStore(_source);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_unique_key_refuses_a_second_coupon_for_a_member_even_written_around_the_store()
    {
        var c = await _store.CreateCampaignAsync(Campaign(), T0, default);
        await _store.WriteIssuedAsync([IssuedCoupon.For(c.Id, 1, T0)], default);
        await using var cmd = _source.CreateCommand("INSERT INTO coupons (id, coupon_campaign_id, member_id, issued_at) VALUES (gen_random_uuid(), $1, 1, now())");
        cmd.Parameters.AddWithValue(c.Id);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("coupons_one_per_member", ex.ConstraintName);
    }

    [Fact]
    public async Task A_campaign_counter_can_never_pass_its_stock()
    {
        var c = await _store.CreateCampaignAsync(Campaign(stock: 2), T0, default);
        await using var cmd = _source.CreateCommand("UPDATE coupon_campaigns SET issued = 3 WHERE id = $1");
        cmd.Parameters.AddWithValue(c.Id);
        await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
    }
}
