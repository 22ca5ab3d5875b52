namespace Promotion.Domain.HotGoods;

/// <summary>One product's activity on one day (UTC).</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Day">The UTC day the counts are for.</param>
/// <param name="Views">Product page views.</param>
/// <param name="Purchases">Units bought.</param>
/// <param name="RatingCount">Ratings given that day.</param>
/// <param name="RatingSum">Sum of those ratings' stars (1 to 5 each).</param>
public sealed record ProductDayStats(long ProductId, DateOnly Day, long Views, long Purchases, int RatingCount, int RatingSum);
