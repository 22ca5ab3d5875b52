namespace Promotion.Domain.HotGoods;

/// <summary>
/// Ranks products for a hot-goods push. The score of a product over the window is
/// <c>5 · purchases + 0.05 · views + 2 · bayesianRating</c>, where
/// <c>bayesianRating = (10 · 3 + ratingSum) / (10 + ratingCount)</c>: the average rating pulled
/// towards a prior of 3 stars as if every product had ten extra 3-star ratings, so one 5-star
/// rating does not outrank hundreds of 4.5-star ones. A purchase weighs as much as 100 views; the
/// rating term (2 to 10 points) separates products with similar traffic. Equal scores are
/// ordered by product id, ascending, so the same statistics always give the same list.
/// </summary>
public static class HotGoodsRanking
{
    /// <summary>Points per purchase.</summary>
    public const double PurchaseWeight = 5.0;

    /// <summary>Points per view.</summary>
    public const double ViewWeight = 0.05;

    /// <summary>Points per star of the Bayesian-average rating.</summary>
    public const double RatingWeight = 2.0;

    /// <summary>The rating a product is assumed to have before it has any (stars).</summary>
    public const double PriorRating = 3.0;

    /// <summary>How many ratings the prior counts as.</summary>
    public const double PriorRatingCount = 10.0;

    /// <summary>The average rating pulled towards <see cref="PriorRating"/> by <see cref="PriorRatingCount"/> virtual ratings.</summary>
    public static double BayesianRating(long ratingCount, long ratingSum) =>
        ((PriorRatingCount * PriorRating) + ratingSum) / (PriorRatingCount + ratingCount);

    /// <summary>The score of <paramref name="activity"/> (see the class summary).</summary>
    public static double Score(ProductActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return (PurchaseWeight * activity.Purchases) + (ViewWeight * activity.Views)
            + (RatingWeight * BayesianRating(activity.RatingCount, activity.RatingSum));
    }

    /// <summary>
    /// The <paramref name="topK"/> highest-scoring products, best first, ties by product id.
    /// Memory is bounded by <paramref name="topK"/>, not by the number of candidates.
    /// </summary>
    public static IReadOnlyList<RankedGood> Top(IEnumerable<ProductActivity> candidates, int topK)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);

        // Min-heap of the best so far: its root is the worst kept, replaced when a better one comes.
        var kept = new PriorityQueue<(double Score, ProductActivity Activity), (double Score, long Id)>(topK + 1, WorstFirst.Instance);
        foreach (var candidate in candidates)
        {
            var score = Score(candidate);
            var key = (score, candidate.Product.Id);
            if (kept.Count < topK)
            {
                kept.Enqueue((score, candidate), key);
            }
            else if (kept.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) > 0)
            {
                kept.EnqueueDequeue((score, candidate), key);
            }
        }

        var best = new List<(double Score, ProductActivity Activity)>(kept.Count);
        while (kept.TryDequeue(out var item, out _))
        {
            best.Add(item);
        }

        best.Reverse();
        return [.. best.Select((b, i) => new RankedGood(i + 1, b.Activity.Product, b.Score))];
    }

    // Orders (score, id) from worst to best: lower score first; on a tie the larger id is worse.
    private sealed class WorstFirst : IComparer<(double Score, long Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Score, long Id) x, (double Score, long Id) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Id.CompareTo(x.Id);
        }
    }
}
