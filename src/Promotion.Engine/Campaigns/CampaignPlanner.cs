using Microsoft.Extensions.Logging;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Jobs;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Plans a campaign from its plan message: audience size and shard boundaries from indexed
/// aggregates, shard rows in one bulk write, shard messages in batches. Safe to run again on a
/// re-delivered message: every step is idempotent.
/// </summary>
internal sealed partial class CampaignPlanner(
    ICampaignStore campaigns,
    ShardedJobs jobs,
    ShardDispatch dispatch,
    CampaignFollowUps followUps,
    PromotionInstruments instruments,
    TimeProvider time,
    ILogger<CampaignPlanner> logger) : IJobMessageHandler<PlanCampaign>
{
    public async Task HandleAsync(PlanCampaign message, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.GetAsync(message.CampaignId, cancellationToken) ?? throw new UnknownCampaignException(message.CampaignId);
        if (!CampaignStateMachine.Allows(campaign.Status, CampaignTrigger.StartPlanning))
        {
            // Already planned, or cancelled before planning: nothing to do.
            return;
        }

        using var scope = LogScopes.Campaign(logger, campaign.Id);
        if (campaign.AfterId is { } after && !await IsReleasedAsync(campaign, after, cancellationToken))
        {
            return;
        }

        campaign = await campaigns.TransitionAsync(campaign.Id, CampaignTrigger.StartPlanning, time.GetUtcNow(), cancellationToken);
        var started = time.GetTimestamp();
        var plan = await jobs.For(campaign.Kind).PlanAsync(campaign, cancellationToken);
        var shards = ShardPlanner.FromBoundaries(plan.Boundaries, plan.MaxId);
        await campaigns.SaveShardsAsync(campaign.Id, plan.AudienceSize == 0 ? [] : shards, plan.AudienceSize, cancellationToken);
        instruments.CampaignsPlanned.Add(1);
        instruments.ShardsPlanned.Add(shards.Count);

        if (plan.AudienceSize == 0)
        {
            await TryTransitionAsync(campaign.Id, CampaignTrigger.Complete, cancellationToken);
            LogEmpty(logger, campaign.Id);
            await followUps.ReleaseAsync(campaign.Id, cancellationToken);
            return;
        }

        if (await TryTransitionAsync(campaign.Id, CampaignTrigger.FinishPlanning, cancellationToken) is not { } running)
        {
            return;
        }

        var dispatched = await dispatch.DispatchPendingAsync(running, cancellationToken);
        LogPlanned(logger, campaign.Id, plan.AudienceSize, shards.Count, dispatched, time.GetElapsedTime(started).TotalMilliseconds);
    }

    // A follow-up is planned only after the campaign it waits for completed, and never when that one failed or was cancelled.
    private async Task<bool> IsReleasedAsync(Campaign campaign, Guid after, CancellationToken cancellationToken)
    {
        var status = await campaigns.GetStatusAsync(after, cancellationToken);
        if (status == CampaignStatus.Completed)
        {
            return true;
        }

        if (status is null || CampaignStateMachine.IsTerminal(status.Value))
        {
            if (await TryTransitionAsync(campaign.Id, CampaignTrigger.Cancel, cancellationToken) is not null)
            {
                LogFollowUpCancelled(logger, campaign.Id, after, status?.ToString() ?? "missing");
                await followUps.ReleaseAsync(campaign.Id, cancellationToken);
            }
        }

        return false;
    }

    // Cancelled while planning: the operator wins, planning just stops.
    private async Task<Campaign?> TryTransitionAsync(Guid id, CampaignTrigger trigger, CancellationToken cancellationToken)
    {
        try
        {
            return await campaigns.TransitionAsync(id, trigger, time.GetUtcNow(), cancellationToken);
        }
        catch (IllegalTransitionException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} planned: {AudienceSize} members in {Shards} shards, {Dispatched} dispatched, in {ElapsedMs:0} ms")]
    private static partial void LogPlanned(ILogger logger, Guid campaignId, long audienceSize, int shards, int dispatched, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Follow-up {CampaignId} cancelled: the campaign it waited for, {AfterId}, ended {Status}")]
    private static partial void LogFollowUpCancelled(ILogger logger, Guid campaignId, Guid afterId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} has an empty audience and completed at once")]
    private static partial void LogEmpty(ILogger logger, Guid campaignId);
}
