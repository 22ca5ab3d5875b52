using Microsoft.Extensions.Options;
using Promotion.Domain.HotGoods;
using Promotion.Domain.Members;
using Promotion.Engine.HotGoods;

namespace Promotion.Host.Demo;

/// <summary>
/// Embedded profile only: fills the in-process goods catalog with synthetic products and two weeks of
/// statistics, and maps each demo segment to a few categories, so a hot-goods schedule can be created
/// on a first run without seeding anything.
/// </summary>
internal sealed partial class DemoGoodsService(IGoodsCatalog catalog, IOptions<DemoOptions> options, TimeProvider time, ILogger<DemoGoodsService> logger) : IHostedService
{
    private const int Products = 2_000;
    private const int Days = 14;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Members == 0 || (await catalog.UnknownCategoriesAsync(SyntheticGoods.DefaultCategories, cancellationToken)).Count == 0)
        {
            return;
        }

        var categories = SyntheticGoods.DefaultCategories;
        await catalog.ImportProductsAsync(SyntheticGoods.Range(1, Products, categories), null, cancellationToken);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await catalog.ImportDailyStatsAsync(SyntheticGoods.DailyStats(1, Products, today.AddDays(-(Days - 1)), Days), null, cancellationToken);
        // Each demo segment follows three neighbouring categories.
        var segments = SyntheticMembers.DefaultSegments;
        for (var i = 0; i < segments.Count; i++)
        {
            await catalog.SetSegmentCategoriesAsync(segments[i], [.. Enumerable.Range(i, 3).Select(k => categories[k % categories.Count])], cancellationToken);
        }

        LogSeeded(logger, Products, Days, segments.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: generated {Products} demo products with {Days} days of statistics; {Segments} segments mapped to categories")]
    private static partial void LogSeeded(ILogger logger, int products, int days, int segments);
}
