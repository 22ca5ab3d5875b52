namespace Promotion.Domain.HotGoods;

/// <summary>A product of the catalog as the hot-goods ranking sees it.</summary>
/// <param name="Id">Product id.</param>
/// <param name="Category">The one category it is listed under (e.g. "toys").</param>
/// <param name="Title">Shown in the push.</param>
/// <param name="Price">Current price.</param>
public sealed record Product(long Id, string Category, string Title, decimal Price);
