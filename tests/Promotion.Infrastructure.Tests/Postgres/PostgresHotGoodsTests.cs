using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;
using Promotion.Infrastructure.Postgres;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Postgres;

public sealed class PostgresGoodsCatalogTests : GoodsCatalogContract, IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();
    private NpgsqlDataSource _source = null!;
    private PostgresGoodsCatalog _catalog = null!;

    protected override IGoodsCatalog Catalog => _catalog;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = _db.CreateDataSource();
        await new SchemaMigrator(_source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);
        _catalog = new PostgresGoodsCatalog(_source);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }

    protected override Task RegisterSegmentAsync(string segment) => new PostgresMemberDirectory(_source).RegisterSegmentsAsync([segment], default);

    [Fact]
    public async Task Range_probe_sees_existing_products_and_a_mapping_needs_a_known_segment()
    {
        await _catalog.ImportProductsAsync(SyntheticGoods.Range(50, 10, ["toys"]), null, default);
        Assert.True(await _catalog.AnyProductInRangeAsync(59, 100, default));
        Assert.False(await _catalog.AnyProductInRangeAsync(60, 100, default));
        await Assert.ThrowsAsync<PostgresException>(() => _catalog.SetSegmentCategoriesAsync("no-such-segment", ["toys"], default));
    }

    [Fact]
    public async Task The_window_aggregate_of_a_large_catalog_stays_inside_the_server_and_matches_the_ranking()
    {
        await _catalog.ImportProductsAsync(SyntheticGoods.Range(1, 20_000, ["toys", "books", "games"]), null, default);
        await _catalog.ImportDailyStatsAsync(SyntheticGoods.DailyStats(1, 20_000, Today.AddDays(-9), 10), null, default);

        var activity = await _catalog.ReadActivityAsync(["toys"], Today.AddDays(-6), Today.AddDays(1), default);

        var toys = SyntheticGoods.Range(1, 20_000, ["toys", "books", "games"]).Where(p => p.Category == "toys").ToList();
        Assert.Equal(toys.Count, activity.Count);
        var expected = toys.Select(p => (p.Id, Views: Enumerable.Range(-6, 7).Sum(d => SyntheticGoods.Stats(p.Id, Today.AddDays(d)).Views)))
            .OrderByDescending(x => x.Views).First();
        Assert.Equal(expected.Views, activity.Single(a => a.Product.Id == expected.Id).Views);
        Assert.Equal(10, HotGoodsRanking.Top(activity, 10).Count);
    }
}

public sealed class PostgresHotGoodsSchedulesTests : HotGoodsSchedulesContract, IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();
    private NpgsqlDataSource _source = null!;

    protected override IHotGoodsSchedules Store => new PostgresHotGoodsSchedules(_source);

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = _db.CreateDataSource();
        await new SchemaMigrator(_source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }
}
