using Promotion.Domain.HotGoods;

namespace Promotion.Domain.Tests.HotGoods;

public class SyntheticGoodsTests
{
    [Fact]
    public void Products_and_statistics_are_deterministic_and_plausible()
    {
        var categories = new[] { "toys", "books" };
        Assert.Equal(SyntheticGoods.Create(42, categories), SyntheticGoods.Create(42, categories));
        var day = new DateOnly(2026, 11, 21);
        Assert.Equal(SyntheticGoods.Stats(42, day), SyntheticGoods.Stats(42, day));

        var products = SyntheticGoods.Range(1, 1000, categories).ToList();
        Assert.All(products, p => Assert.Contains(p.Category, categories));
        Assert.All(products, p => Assert.InRange(p.Price, 1m, 501m));
        Assert.Equal(2, products.Select(p => p.Category).Distinct().Count());

        var stats = SyntheticGoods.DailyStats(1, 1000, day, 3).ToList();
        Assert.Equal(3000, stats.Count);
        Assert.All(stats, s => Assert.True(s.Purchases <= s.Views && s.RatingSum <= 5 * s.RatingCount && s.RatingSum >= s.RatingCount));
        // skewed: the busiest tenth of the products has most of the views
        var views = stats.GroupBy(s => s.ProductId).Select(g => g.Sum(s => s.Views)).OrderByDescending(v => v).ToList();
        Assert.True(views.Take(100).Sum() > views.Sum() / 2);
    }
}
