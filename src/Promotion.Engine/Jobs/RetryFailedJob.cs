using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Engine.Jobs;

/// <summary>
/// A retry-failed pass: the members a finished campaign failed to reach, each on the channels
/// that failed, sent with the original campaign's idempotency keys.
/// </summary>
internal sealed class RetryFailedJob(ICampaignStore campaigns, IMemberDirectory members) : IShardedJob
{
    public CampaignKind Kind => CampaignKind.Retry;

    public Task<AudiencePlan> PlanAsync(Campaign campaign, CancellationToken cancellationToken) =>
        campaigns.PlanFailedMembersAsync(ParentOf(campaign), campaign.ShardSize, cancellationToken);

    public async Task<IReadOnlyList<Recipient>> ReadPageAsync(Campaign campaign, long afterId, long beforeId, int limit, CancellationToken cancellationToken)
    {
        var failed = await campaigns.ReadFailedPageAsync(ParentOf(campaign), afterId, beforeId, limit, cancellationToken);
        if (failed.Count == 0)
        {
            return [];
        }

        var found = (await members.GetManyAsync([.. failed.Select(f => f.MemberId)], cancellationToken)).ToDictionary(m => m.Id);
        // A member deleted since the failure is simply not read; the campaign's audience is what it read.
        return [.. failed.Where(f => found.ContainsKey(f.MemberId)).Select(f => new Recipient(found[f.MemberId], f.Channels))];
    }

    private static Guid ParentOf(Campaign campaign) =>
        campaign.ParentId ?? throw new InvalidOperationException($"retry campaign {campaign.Id} names no parent");
}
