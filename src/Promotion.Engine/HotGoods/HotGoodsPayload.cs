using System.Text.Json;
using Promotion.Domain.HotGoods;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// The JSON a hot-goods campaign attaches to every message (the sender webhook's <c>payload</c>):
/// <c>{scheduleId, scheduledAt, segment, goods: [{rank, productId, title, category, price, score}]}</c>.
/// </summary>
public static class HotGoodsPayload
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The payload for one firing.</summary>
    public static string Create(Guid scheduleId, DateTimeOffset scheduledAt, string segment, IReadOnlyList<RankedGood> goods)
    {
        ArgumentNullException.ThrowIfNull(goods);
        return JsonSerializer.Serialize(
            new Body(scheduleId, scheduledAt.ToUniversalTime(), segment,
                [.. goods.Select(g => new Good(g.Rank, g.Product.Id, g.Product.Title, g.Product.Category, g.Product.Price, Math.Round(g.Score, 4)))]),
            Json);
    }

    private sealed record Body(Guid ScheduleId, DateTimeOffset ScheduledAt, string Segment, IReadOnlyList<Good> Goods);

    private sealed record Good(int Rank, long ProductId, string Title, string Category, decimal Price, double Score);
}
