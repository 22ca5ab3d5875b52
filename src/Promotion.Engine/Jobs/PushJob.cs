using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Engine.Jobs;

/// <summary>An operator's push: every member, or a segment filtered as each shard reads its range.</summary>
internal sealed class PushJob(IMemberDirectory members) : IShardedJob
{
    public CampaignKind Kind => CampaignKind.Push;

    public Task<AudiencePlan> PlanAsync(Campaign campaign, CancellationToken cancellationToken) =>
        members.PlanAsync(campaign.Segment, campaign.ShardSize, cancellationToken);

    public async Task<IReadOnlyList<Recipient>> ReadPageAsync(Campaign campaign, long afterId, long beforeId, int limit, CancellationToken cancellationToken)
    {
        var page = await members.ReadPageAsync(afterId, beforeId, campaign.Segment, limit, cancellationToken);
        return [.. page.Select(m => new Recipient(m, campaign.Channels))];
    }
}
