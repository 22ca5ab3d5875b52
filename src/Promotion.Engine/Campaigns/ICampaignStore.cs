using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Port: campaign rows, their shards' totals and their failure log (PostgreSQL in the
/// distributed profile). Every status change goes through <see cref="TransitionAsync"/>, which
/// asks <see cref="CampaignStateMachine"/> and applies the change as compare-and-set.
/// </summary>
public interface ICampaignStore
{
    /// <summary>
    /// Stores a new campaign in status Pending; when <see cref="NewCampaign.Id"/> names a campaign
    /// that exists, returns that one unchanged instead.
    /// </summary>
    Task<Campaign> CreateAsync(NewCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The campaign with its progress, or null.</summary>
    Task<Campaign?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Just the status (cheap; workers poll it between pages), or null when unknown.</summary>
    Task<CampaignStatus?> GetStatusAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A page of campaigns, newest first.</summary>
    Task<CampaignPage> ListAsync(CampaignQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="trigger"/>: sets startedAt on FinishPlanning and completedAt on a
    /// terminal status. Retries the compare-and-set if the status moved underneath.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    /// <exception cref="IllegalTransitionException">The state machine refuses the change.</exception>
    Task<Campaign> TransitionAsync(Guid id, CampaignTrigger trigger, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the shard rows in one bulk statement and records the planned audience size;
    /// idempotent, so a re-delivered plan message rewrites nothing.
    /// </summary>
    Task SaveShardsAsync(Guid id, IReadOnlyList<ShardRange> shards, long audienceSize, CancellationToken cancellationToken);

    /// <summary>Records the W3C <c>traceparent</c> of the campaign's plan span (a later plan replaces it).</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    Task SetTraceParentAsync(Guid id, string traceParent, CancellationToken cancellationToken);

    /// <summary>Campaigns still Pending that wait for <paramref name="campaignId"/> (its follow-ups).</summary>
    Task<IReadOnlyList<Guid>> ListWaitingFollowUpsAsync(Guid campaignId, CancellationToken cancellationToken);

    /// <summary>Every recorded failure of the campaign, in member id order (streamed for reports).</summary>
    IAsyncEnumerable<SendFailure> ReadFailuresAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Failures and skips by reason, most frequent first.</summary>
    Task<IReadOnlyList<ReasonCount>> ReadReasonsAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Plan of a retry pass: the distinct members with a recorded failure in <paramref name="failedCampaignId"/>.</summary>
    Task<AudiencePlan> PlanFailedMembersAsync(Guid failedCampaignId, int shardSize, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> members with afterId &lt; id &lt; beforeId that failed in
    /// <paramref name="failedCampaignId"/>, in id order, each with the channels that failed.
    /// </summary>
    Task<IReadOnlyList<(long MemberId, IReadOnlyList<Channel> Channels)>> ReadFailedPageAsync(
        Guid failedCampaignId, long afterId, long beforeId, int limit, CancellationToken cancellationToken);
}
