using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.InMemory;

/// <summary>The goods catalog in process memory, for the embedded profile and fast tests; same semantics as PostgreSQL's.</summary>
public sealed class InMemoryGoodsCatalog : IGoodsCatalog
{
    private readonly Dictionary<long, Product> _products = [];
    private readonly Dictionary<(long ProductId, DateOnly Day), ProductDayStats> _stats = [];
    private readonly Dictionary<string, SortedSet<string>> _segmentCategories = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<long> ImportProductsAsync(IEnumerable<Product> products, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(products);
        var batch = products.ToList();
        lock (_gate)
        {
            if (batch.Any(p => _products.ContainsKey(p.Id)) || batch.DistinctBy(p => p.Id).Count() != batch.Count)
            {
                throw new InvalidOperationException("a product id already exists; nothing was loaded");
            }

            foreach (var p in batch)
            {
                _products.Add(p.Id, p);
            }
        }

        progress?.Report(batch.Count);
        return Task.FromResult((long)batch.Count);
    }

    /// <inheritdoc />
    public Task<long> ImportDailyStatsAsync(IEnumerable<ProductDayStats> stats, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var batch = stats.ToList();
        lock (_gate)
        {
            if (batch.Any(s => _stats.ContainsKey((s.ProductId, s.Day))) || batch.DistinctBy(s => (s.ProductId, s.Day)).Count() != batch.Count)
            {
                throw new InvalidOperationException("statistics for a product and day already exist; nothing was loaded");
            }

            foreach (var s in batch)
            {
                _stats.Add((s.ProductId, s.Day), s);
            }
        }

        progress?.Report(batch.Count);
        return Task.FromResult((long)batch.Count);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> UnknownCategoriesAsync(IReadOnlyCollection<string> categories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(categories);
        lock (_gate)
        {
            var known = _products.Values.Select(p => p.Category).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult<IReadOnlyList<string>>([.. categories.Where(c => !known.Contains(c))]);
        }
    }

    /// <inheritdoc />
    public Task SetSegmentCategoriesAsync(string segment, IReadOnlyCollection<string> categories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(categories);
        lock (_gate)
        {
            _segmentCategories[segment] = new SortedSet<string>(categories, StringComparer.Ordinal);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetSegmentCategoriesAsync(string segment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>(_segmentCategories.TryGetValue(segment, out var set) ? [.. set] : []);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ProductActivity>> ReadActivityAsync(IReadOnlyCollection<string> categories, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(categories);
        lock (_gate)
        {
            var wanted = categories.ToHashSet(StringComparer.Ordinal);
            var rows = _stats.Values
                .Where(s => s.Day >= from && s.Day < to && _products.TryGetValue(s.ProductId, out var p) && wanted.Contains(p.Category))
                .GroupBy(s => s.ProductId)
                .Select(g => new ProductActivity(_products[g.Key], g.Sum(s => s.Views), g.Sum(s => s.Purchases), g.Sum(s => (long)s.RatingCount), g.Sum(s => (long)s.RatingSum)))
                .ToList();
            return Task.FromResult<IReadOnlyList<ProductActivity>>(rows);
        }
    }
}
