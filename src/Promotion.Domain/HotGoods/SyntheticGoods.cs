using System.Globalization;

namespace Promotion.Domain.HotGoods;

/// <summary>
/// Deterministic synthetic products and daily statistics for demos, seeding and tests: the same
/// id (and day) always give the same product (and counts), so a run can be reproduced. Popularity
/// is skewed as in a real shop: a few products take most of the views and purchases.
/// </summary>
public static class SyntheticGoods
{
    /// <summary>Categories used when the caller names none.</summary>
    public static IReadOnlyList<string> DefaultCategories { get; } = ["electronics", "toys", "books", "baby", "games", "fashion", "sports", "beauty"];

    private static readonly string[] Adjectives = ["Smart", "Classic", "Deluxe", "Compact", "Wireless", "Organic", "Premium", "Eco", "Mini", "Ultra"];
    private static readonly string[] Nouns = ["Speaker", "Puzzle", "Novel", "Stroller", "Controller", "Jacket", "Racket", "Serum", "Lamp", "Backpack"];

    /// <summary>The product with <paramref name="id"/>, in one of <paramref name="categories"/>.</summary>
    public static Product Create(long id, IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentOutOfRangeException.ThrowIfZero(categories.Count);
        var h = Mix(id);
        var category = categories[(int)(h % (ulong)categories.Count)];
        var title = string.Create(CultureInfo.InvariantCulture, $"{Adjectives[(h >> 8) % 10]} {Nouns[(h >> 16) % 10]} {id}");
        var price = 1m + ((h >> 24) % 50_000) / 100m; // 1.00 to 500.99
        return new Product(id, category, title, price);
    }

    /// <summary><paramref name="count"/> products with consecutive ids from <paramref name="startId"/>.</summary>
    public static IEnumerable<Product> Range(long startId, long count, IReadOnlyList<string> categories)
    {
        for (var i = 0L; i < count; i++)
        {
            yield return Create(startId + i, categories);
        }
    }

    /// <summary>The statistics of product <paramref name="productId"/> on <paramref name="day"/>.</summary>
    public static ProductDayStats Stats(long productId, DateOnly day)
    {
        var h = Mix(productId);
        // Popularity in (0, 1], raised to the 8th power: most products get a handful of views, a few get thousands.
        var popularity = Math.Pow(((h >> 32) % 1000 + 1) / 1000.0, 8);
        var d = Mix(productId ^ ((long)day.DayNumber << 32));
        var views = (long)(popularity * 5000 * (0.5 + ((d % 1000) / 1000.0)));
        var conversion = 0.01 + (((h >> 40) % 40) / 1000.0); // 1 % to 5 %
        var purchases = (long)(views * conversion);
        var ratingCount = (int)(purchases / 5) + (int)((d >> 16) % 2);
        var average = 2.5 + (((h >> 48) % 26) / 10.0); // 2.5 to 5.0 stars
        var ratingSum = (int)Math.Round(ratingCount * average);
        return new ProductDayStats(productId, day, views, purchases, ratingCount, ratingSum);
    }

    /// <summary>
    /// Statistics of products <paramref name="startId"/> .. startId + count - 1 for each day from
    /// <paramref name="firstDay"/> on, <paramref name="days"/> days; grouped by day.
    /// </summary>
    public static IEnumerable<ProductDayStats> DailyStats(long startId, long count, DateOnly firstDay, int days)
    {
        for (var d = 0; d < days; d++)
        {
            var day = firstDay.AddDays(d);
            for (var i = 0L; i < count; i++)
            {
                yield return Stats(startId + i, day);
            }
        }
    }

    // SplitMix64 finaliser, as SyntheticMembers: cheap, well distributed, stable across runs and platforms.
    private static ulong Mix(long id)
    {
        var z = unchecked((ulong)id + 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
