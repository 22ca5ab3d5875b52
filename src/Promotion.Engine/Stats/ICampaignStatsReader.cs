using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;

namespace Promotion.Engine.Stats;

/// <summary>
/// Port: aggregate reads over campaigns and shards for the dashboard and <c>/api/stats</c>.
/// Every method answers with a bounded result from aggregate queries, whatever the number of
/// campaigns or shards.
/// </summary>
public interface ICampaignStatsReader
{
    /// <summary>Campaigns counted by status, and the shards and progress of the open ones (Pending, Planning, Running, Paused).</summary>
    Task<CampaignTotals> ReadTotalsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Progress of the campaigns that are open or ended since <paramref name="endedSince"/>,
    /// newest first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<CampaignProgress>> ReadRecentProgressAsync(DateTimeOffset endedSince, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The campaign's shards folded into at most <paramref name="buckets"/> runs of consecutive shard
    /// numbers, each with its counts by status (the grid's overview); null for an unknown campaign.
    /// </summary>
    Task<IReadOnlyList<ShardBucket>?> SummarizeShardsAsync(Guid campaignId, int buckets, CancellationToken cancellationToken);
}

/// <summary>Campaign totals for the overview.</summary>
/// <param name="ByStatus">Campaigns per status (statuses with none are left out).</param>
/// <param name="OpenShards">Shards of open campaigns by status.</param>
/// <param name="OpenAudience">Members targeted by open campaigns.</param>
/// <param name="OpenProcessed">Members open campaigns have sent, failed or skipped so far.</param>
public sealed record CampaignTotals(IReadOnlyDictionary<CampaignStatus, long> ByStatus, ShardCounts OpenShards, long OpenAudience, long OpenProcessed);

/// <summary>One campaign's progress as checkpointed.</summary>
/// <param name="Id">Campaign id.</param>
/// <param name="Status">Its status.</param>
/// <param name="AudienceSize">Members targeted.</param>
/// <param name="Processed">Members sent, failed or skipped so far.</param>
public sealed record CampaignProgress(Guid Id, CampaignStatus Status, long AudienceSize, long Processed);

/// <summary>A run of consecutive shards [<paramref name="From"/>, <paramref name="To"/>] and their counts by status.</summary>
/// <param name="From">First shard number of the run.</param>
/// <param name="To">Last shard number of the run (inclusive).</param>
/// <param name="Pending">Pending shards.</param>
/// <param name="Running">Running shards.</param>
/// <param name="Done">Done shards.</param>
/// <param name="Failed">Failed shards.</param>
/// <param name="Cancelled">Cancelled shards.</param>
public sealed record ShardBucket(int From, int To, int Pending, int Running, int Done, int Failed, int Cancelled);
