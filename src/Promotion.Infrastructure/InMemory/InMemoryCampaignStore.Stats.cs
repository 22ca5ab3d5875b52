using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;

namespace Promotion.Infrastructure.InMemory;

/// <summary>The dashboard's aggregate reads over the in-memory campaigns, with the PostgreSQL adapter's semantics.</summary>
public sealed partial class InMemoryCampaignStore : ICampaignStatsReader
{
    /// <inheritdoc />
    public Task<CampaignTotals> ReadTotalsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var byStatus = _campaigns.Values.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => (long)g.Count());
            var open = _campaigns.Values.Where(c => IsOpen(c.Status)).ToList();
            var shards = new ShardCounts(0, 0, 0, 0, 0, 0);
            foreach (var s in open.SelectMany(c => c.Shards.Values))
            {
                shards = Count(shards, s.Status);
            }

            return Task.FromResult(new CampaignTotals(
                byStatus, shards, open.Sum(c => c.AudienceSize), open.Sum(c => c.Sent + c.Failed + c.Skipped)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CampaignProgress>> ReadRecentProgressAsync(DateTimeOffset endedSince, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CampaignProgress>>([.. _campaigns.Values
                .Where(c => IsOpen(c.Status) || c.CompletedAt >= endedSince)
                .OrderByDescending(c => c.Status is CampaignStatus.Running or CampaignStatus.Paused)
                .ThenByDescending(c => c.CreatedAt)
                .ThenByDescending(c => c.Id)
                .Take(limit)
                .Select(c => new CampaignProgress(c.Id, c.Status, c.AudienceSize, c.Sent + c.Failed + c.Skipped))]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardBucket>?> SummarizeShardsAsync(Guid campaignId, int buckets, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(campaignId, out var row))
            {
                return Task.FromResult<IReadOnlyList<ShardBucket>?>(null);
            }

            if (row.Shards.Count == 0)
            {
                return Task.FromResult<IReadOnlyList<ShardBucket>?>([]);
            }

            var n = (long)row.Shards.Keys.Max() + 1;
            var result = row.Shards.Values
                .GroupBy(s => (int)(s.No * (long)buckets / n))
                .OrderBy(g => g.Key)
                .Select(g =>
                {
                    var c = g.Aggregate(new ShardCounts(0, 0, 0, 0, 0, 0), (acc, s) => Count(acc, s.Status));
                    return new ShardBucket(g.Min(s => s.No), g.Max(s => s.No), c.Pending, c.Running, c.Done, c.Failed, c.Cancelled);
                })
                .ToList();
            return Task.FromResult<IReadOnlyList<ShardBucket>?>(result);
        }
    }

    private static bool IsOpen(CampaignStatus status) => !CampaignStateMachine.IsTerminal(status);

    private static ShardCounts Count(ShardCounts c, ShardStatus status) => status switch
    {
        ShardStatus.Pending => c with { Total = c.Total + 1, Pending = c.Pending + 1 },
        ShardStatus.Running => c with { Total = c.Total + 1, Running = c.Running + 1 },
        ShardStatus.Done => c with { Total = c.Total + 1, Done = c.Done + 1 },
        ShardStatus.Failed => c with { Total = c.Total + 1, Failed = c.Failed + 1 },
        _ => c with { Total = c.Total + 1, Cancelled = c.Cancelled + 1 },
    };
}
