using System.Globalization;
using System.Text;

namespace Promotion.Domain.HotGoods;

/// <summary>The title and body of a hot-goods push, naming the goods.</summary>
public static class HotGoodsMessage
{
    /// <summary>Longest title produced (the campaign limit).</summary>
    public const int MaxTitleLength = 200;

    /// <summary>Longest body produced (the campaign limit).</summary>
    public const int MaxBodyLength = 4_000;

    /// <summary>"Hot right now: {first product}" (and how many more).</summary>
    public static string Title(IReadOnlyList<RankedGood> goods)
    {
        ArgumentNullException.ThrowIfNull(goods);
        ArgumentOutOfRangeException.ThrowIfZero(goods.Count);
        var title = goods.Count == 1
            ? $"Hot right now: {goods[0].Product.Title}"
            : string.Create(CultureInfo.InvariantCulture, $"Hot right now: {goods[0].Product.Title} and {goods.Count - 1} more");
        return Cut(title, MaxTitleLength);
    }

    /// <summary>One line per product: "1. Title (category) - 19.99".</summary>
    public static string Body(IReadOnlyList<RankedGood> goods)
    {
        ArgumentNullException.ThrowIfNull(goods);
        var body = new StringBuilder("Top picks in the categories you follow:");
        foreach (var g in goods)
        {
            body.Append(CultureInfo.InvariantCulture, $"\n{g.Rank}. {g.Product.Title} ({g.Product.Category}) - {g.Product.Price:0.00}");
        }

        return Cut(body.ToString(), MaxBodyLength);
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
