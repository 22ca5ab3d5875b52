using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Jobs;
using Promotion.Engine.Members;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// The hot-goods push as a kind of sharded job: planned and read like an operator's push to the
/// schedule's segment, and screened by the per-member frequency cap. The planner, shard workers,
/// fan-out, checkpoints and completion are the shared runtime's.
/// </summary>
internal sealed class HotGoodsJob(IMemberDirectory members, IFrequencyCap cap, IOptions<HotGoodsOptions> options) : IShardedJob
{
    /// <summary>The skip reason of a capped member, as reported under failures/reasons.</summary>
    public const string FrequencyCapReason = "frequency cap";

    public CampaignKind Kind => CampaignKind.HotGoods;

    public Task<AudiencePlan> PlanAsync(Campaign campaign, CancellationToken cancellationToken) =>
        members.PlanAsync(campaign.Segment, campaign.ShardSize, cancellationToken);

    public async Task<IReadOnlyList<Recipient>> ReadPageAsync(Campaign campaign, long afterId, long beforeId, int limit, CancellationToken cancellationToken)
    {
        var page = await members.ReadPageAsync(afterId, beforeId, campaign.Segment, limit, cancellationToken);
        return [.. page.Select(m => new Recipient(m, campaign.Channels))];
    }

    public async ValueTask<string?> ScreenAsync(Campaign campaign, Recipient recipient, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A member no channel can reach is skipped by the runtime ("no app contact"); spending the
        // cap on it would block a later push that could reach it.
        if (!recipient.Channels.Any(c => recipient.Member.ContactFor(c) is not null))
        {
            return null;
        }

        return await cap.TryTakeAsync(recipient.Member.Id, campaign.Id, options.Value.CapPeriod, now, cancellationToken) ? null : FrequencyCapReason;
    }

    // A push that reached the member on no channel does not count against the cap.
    public ValueTask OnUndeliveredAsync(Campaign campaign, Recipient recipient, CancellationToken cancellationToken) =>
        cap.ReleaseAsync(recipient.Member.Id, campaign.Id, cancellationToken);
}
