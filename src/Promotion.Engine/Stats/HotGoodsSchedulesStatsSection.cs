using Promotion.Engine.HotGoods;

namespace Promotion.Engine.Stats;

/// <summary>
/// <c>hotGoodsSchedules</c>: every schedule with its next fire time and its latest firing (when, on
/// which host, what came of it), and how many firings the schedules have had lately.
/// </summary>
internal sealed class HotGoodsSchedulesStatsSection(IHotGoodsSchedules schedules, TimeProvider time) : IStatsSection
{
    // The panel shows the latest firing; the count covers at most this many per schedule.
    private const int FiringsRead = 50;

    public string Name => "hotGoodsSchedules";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var list = await schedules.ListAsync(cancellationToken);
        var items = new List<object>(list.Count);
        var firings = 0;
        foreach (var s in list.OrderBy(s => s.CreatedAt))
        {
            var recent = await schedules.ListFiringsAsync(s.Id, FiringsRead, cancellationToken);
            firings += recent.Count;
            var last = recent.MaxBy(f => f.ScheduledAt);
            items.Add(new
            {
                s.Id,
                s.Segment,
                s.Cron,
                s.TimeZone,
                s.TopK,
                status = s.Status.ToString(),
                nextFireTime = s.NextFireTimeAfter(now),
                lastFireTime = last?.ScheduledAt,
                lastOutcome = last?.Outcome?.ToString(),
                lastCampaignId = last?.CampaignId,
                lastNodeId = last?.NodeId,
                recentFirings = recent.Count,
                followUp = s.FollowUp is { } f ? new { name = f.Name } : null,
            });
        }

        return new { total = list.Count, firings, items };
    }
}
