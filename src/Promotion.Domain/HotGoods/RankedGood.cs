namespace Promotion.Domain.HotGoods;

/// <summary>One product of a hot-goods top list.</summary>
/// <param name="Rank">1 for the hottest.</param>
/// <param name="Product">The product.</param>
/// <param name="Score">Its score (<see cref="HotGoodsRanking.Score"/>).</param>
public sealed record RankedGood(int Rank, Product Product, double Score);
