using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every goods catalog must do; run against PostgreSQL and the in-memory one.</summary>
public abstract class GoodsCatalogContract
{
    protected static readonly DateOnly Today = new(2026, 11, 21);

    protected abstract IGoodsCatalog Catalog { get; }

    /// <summary>Makes <paramref name="segment"/> a known segment (PostgreSQL references the segment catalog).</summary>
    protected abstract Task RegisterSegmentAsync(string segment);

    private async Task SeedAsync()
    {
        await Catalog.ImportProductsAsync(
            [new Product(1, "toys", "Kite", 9.99m), new Product(2, "toys", "Robot", 49.5m), new Product(3, "books", "Atlas", 30m), new Product(4, "toys", "Ball", 3m)],
            null, default);
        await Catalog.ImportDailyStatsAsync(
        [
            new ProductDayStats(1, Today, 100, 2, 1, 5),
            new ProductDayStats(1, Today.AddDays(-1), 50, 1, 2, 7),
            new ProductDayStats(1, Today.AddDays(-7), 9999, 999, 9, 45), // before the window
            new ProductDayStats(2, Today.AddDays(-6), 10, 0, 0, 0),
            new ProductDayStats(2, Today.AddDays(1), 7777, 777, 0, 0),   // after the window
            new ProductDayStats(3, Today, 500, 50, 5, 25),               // another category
            // product 4 has no statistics at all
        ], null, default);
    }

    [Fact]
    public async Task Activity_is_summed_per_product_over_the_window_for_the_categories_asked()
    {
        await SeedAsync();

        var activity = (await Catalog.ReadActivityAsync(["toys"], Today.AddDays(-6), Today.AddDays(1), default)).OrderBy(a => a.Product.Id).ToList();

        Assert.Equal(2, activity.Count);
        Assert.Equal(new ProductActivity(new Product(1, "toys", "Kite", 9.99m), 150, 3, 3, 12), activity[0]);
        Assert.Equal(new ProductActivity(new Product(2, "toys", "Robot", 49.5m), 10, 0, 0, 0), activity[1]);
        Assert.Equal([1L, 2L, 3L], (await Catalog.ReadActivityAsync(["toys", "books"], Today.AddDays(-6), Today.AddDays(1), default)).Select(a => a.Product.Id).Order());
        Assert.Empty(await Catalog.ReadActivityAsync(["garden"], Today.AddDays(-6), Today.AddDays(1), default));
    }

    [Fact]
    public async Task Unknown_categories_are_reported_in_the_order_asked()
    {
        await SeedAsync();
        Assert.Equal(["garden", "cars"], await Catalog.UnknownCategoriesAsync(["garden", "toys", "cars", "books"], default));
        Assert.Empty(await Catalog.UnknownCategoriesAsync(["books"], default));
    }

    [Fact]
    public async Task Segment_categories_are_replaced_and_cleared()
    {
        await RegisterSegmentAsync("gamers");
        await RegisterSegmentAsync("parents");
        Assert.Empty(await Catalog.GetSegmentCategoriesAsync("gamers", default));
        await Catalog.SetSegmentCategoriesAsync("gamers", ["toys", "books"], default);
        await Catalog.SetSegmentCategoriesAsync("parents", ["baby"], default);
        Assert.Equal(["books", "toys"], await Catalog.GetSegmentCategoriesAsync("gamers", default));

        await Catalog.SetSegmentCategoriesAsync("gamers", ["games"], default);
        Assert.Equal(["games"], await Catalog.GetSegmentCategoriesAsync("gamers", default));
        await Catalog.SetSegmentCategoriesAsync("gamers", [], default);
        Assert.Empty(await Catalog.GetSegmentCategoriesAsync("gamers", default));
        Assert.Equal(["baby"], await Catalog.GetSegmentCategoriesAsync("parents", default));
    }

    [Fact]
    public async Task Bulk_loads_report_progress_and_refuse_existing_ids()
    {
        var reported = new List<long>();
        var progress = new SyncProgress(reported);
        Assert.Equal(500, await Catalog.ImportProductsAsync(SyntheticGoods.Range(1, 500, ["toys"]), progress, default));
        Assert.Equal(500, reported[^1]);
        Assert.Equal(1500, await Catalog.ImportDailyStatsAsync(SyntheticGoods.DailyStats(1, 500, Today.AddDays(-2), 3), null, default));
        await Assert.ThrowsAnyAsync<Exception>(() => Catalog.ImportProductsAsync([new Product(7, "toys", "again", 1m)], null, default));
        Assert.Equal(500, (await Catalog.ReadActivityAsync(["toys"], Today.AddDays(-2), Today.AddDays(1), default)).Count);
    }

    private sealed class SyncProgress(List<long> into) : IProgress<long>
    {
        public void Report(long value) => into.Add(value);
    }
}
