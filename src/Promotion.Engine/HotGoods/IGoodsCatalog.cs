using Promotion.Domain.HotGoods;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// Port: the goods catalog (products and their daily statistics) and the categories each segment
/// cares about (PostgreSQL tables in the distributed profile, in-process ones in the embedded one).
/// </summary>
public interface IGoodsCatalog
{
    /// <summary>Bulk-loads products (binary COPY in PostgreSQL); ids already present are an error.</summary>
    Task<long> ImportProductsAsync(IEnumerable<Product> products, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>Bulk-loads daily statistics; a (product, day) already present is an error.</summary>
    Task<long> ImportDailyStatsAsync(IEnumerable<ProductDayStats> stats, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="categories"/> no product is listed under, in the order given.</summary>
    Task<IReadOnlyList<string>> UnknownCategoriesAsync(IReadOnlyCollection<string> categories, CancellationToken cancellationToken);

    /// <summary>Replaces the categories <paramref name="segment"/> cares about (an empty list clears them).</summary>
    Task SetSegmentCategoriesAsync(string segment, IReadOnlyCollection<string> categories, CancellationToken cancellationToken);

    /// <summary>The categories <paramref name="segment"/> cares about, in name order; empty when none.</summary>
    Task<IReadOnlyList<string>> GetSegmentCategoriesAsync(string segment, CancellationToken cancellationToken);

    /// <summary>
    /// Every product of <paramref name="categories"/> with statistics on days
    /// <paramref name="from"/> &lt;= day &lt; <paramref name="to"/>, with those statistics summed.
    /// Products with no statistics in the window are not returned (nothing makes them hot).
    /// </summary>
    Task<IReadOnlyList<ProductActivity>> ReadActivityAsync(IReadOnlyCollection<string> categories, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}
