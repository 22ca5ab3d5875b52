using Promotion.Domain.HotGoods;

namespace Promotion.Domain.Tests.HotGoods;

public class HotGoodsRankingTests
{
    private static ProductActivity A(long id, long purchases, long views, long ratings = 0, long stars = 0) =>
        new(new Product(id, "toys", "p" + id, 10m), views, purchases, ratings, stars);

    [Theory]
    [InlineData(0, 0, 3.0)]          // no ratings: the prior
    [InlineData(10, 50, 4.0)]        // ten 5-star ratings: (30 + 50) / 20
    [InlineData(1, 5, 35.0 / 11)]    // one 5-star rating barely moves it
    [InlineData(90, 450, 4.8)]       // ninety 5-star ratings: (30 + 450) / 100
    public void The_bayesian_rating_pulls_few_ratings_towards_three_stars(long count, long sum, double expected) =>
        Assert.Equal(expected, HotGoodsRanking.BayesianRating(count, sum), 12);

    [Theory]
    [InlineData(10, 200, 0, 0, 66.0)]        // 50 + 10 + 2·3
    [InlineData(0, 1000, 10, 50, 58.0)]      // 0 + 50 + 2·4
    [InlineData(12, 0, 0, 0, 66.0)]          // 60 + 0 + 2·3
    [InlineData(1, 20, 90, 450, 15.6)]       // 5 + 1 + 2·4.8
    [InlineData(1, 20, 1, 5, 6 + 70.0 / 11)] // 5 + 1 + 2·35/11
    public void The_score_weighs_purchases_views_and_rating(long purchases, long views, long ratings, long stars, double expected) =>
        Assert.Equal(expected, HotGoodsRanking.Score(A(1, purchases, views, ratings, stars)), 9);

    [Fact]
    public void The_top_k_is_the_best_scores_first_with_ties_by_product_id()
    {
        var table = new[]
        {
            A(5, 1, 20, 1, 5),      // 12.36
            A(3, 12, 0),            // 66, ties with 1
            A(4, 1, 20, 90, 450),   // 15.6
            A(2, 0, 1000, 10, 50),  // 58
            A(1, 10, 200),          // 66
        };

        var top = HotGoodsRanking.Top(table, 3);

        Assert.Equal([1L, 3L, 2L], top.Select(g => g.Product.Id));
        Assert.Equal([1, 2, 3], top.Select(g => g.Rank));
        Assert.Equal([66.0, 66.0, 58.0], top.Select(g => Math.Round(g.Score, 9)));
    }

    [Fact]
    public void Many_ratings_of_five_stars_beat_one_rating_of_five_stars_at_equal_traffic()
    {
        var top = HotGoodsRanking.Top([A(1, 1, 20, 1, 5), A(2, 1, 20, 90, 450)], 1);
        Assert.Equal(2, top.Single().Product.Id);
    }

    [Fact]
    public void The_order_of_the_input_does_not_change_the_answer()
    {
        var table = Enumerable.Range(1, 200).Select(i => A(i, i % 7, (i * 37) % 500, i % 5, (i % 5) * (1 + (i % 5)))).ToList();
        var expected = HotGoodsRanking.Top(table, 10).Select(g => g.Product.Id).ToList();
        var shuffled = table.OrderBy(a => (a.Product.Id * 7919) % 211).ToList();
        Assert.Equal(expected, HotGoodsRanking.Top(shuffled, 10).Select(g => g.Product.Id));
        Assert.Equal(expected, HotGoodsRanking.Top(Enumerable.Reverse(table), 10).Select(g => g.Product.Id));
        // and it is the same as sorting everything
        Assert.Equal(
            table.OrderByDescending(HotGoodsRanking.Score).ThenBy(a => a.Product.Id).Take(10).Select(a => a.Product.Id),
            expected);
    }

    [Fact]
    public void Identical_products_are_ranked_by_id_and_fewer_candidates_than_k_are_all_returned()
    {
        var same = new[] { A(9, 2, 10), A(3, 2, 10), A(7, 2, 10), A(1, 2, 10) };
        Assert.Equal([1L, 3L, 7L], HotGoodsRanking.Top(same, 3).Select(g => g.Product.Id));
        Assert.Equal([1L, 3L, 7L, 9L], HotGoodsRanking.Top(same, 10).Select(g => g.Product.Id));
        Assert.Empty(HotGoodsRanking.Top([], 5));
    }

    [Fact]
    public void K_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HotGoodsRanking.Top([A(1, 1, 1)], 0));
}
