namespace Promotion.Domain.HotGoods;

/// <summary>A product with its statistics summed over the ranking window.</summary>
/// <param name="Product">The product.</param>
/// <param name="Views">Views in the window.</param>
/// <param name="Purchases">Purchases in the window.</param>
/// <param name="RatingCount">Ratings given in the window.</param>
/// <param name="RatingSum">Sum of their stars.</param>
public sealed record ProductActivity(Product Product, long Views, long Purchases, long RatingCount, long RatingSum);
