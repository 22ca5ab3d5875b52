using Microsoft.Extensions.Logging;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// When a campaign ends, sends the plan message of every follow-up waiting for it; the planner
/// then plans a follow-up whose campaign completed and cancels one whose campaign did not. A lost
/// message is recovered by the sweeper, which re-plans waiting follow-ups once their campaign ended.
/// </summary>
public sealed partial class CampaignFollowUps(ICampaignStore campaigns, IJobDispatcher dispatcher, ILogger<CampaignFollowUps> logger)
{
    /// <summary>Releases the follow-ups of <paramref name="campaignId"/>, which has just ended.</summary>
    public async Task ReleaseAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        var waiting = await campaigns.ListWaitingFollowUpsAsync(campaignId, cancellationToken);
        if (waiting.Count == 0)
        {
            return;
        }

        await dispatcher.SendAsync([.. waiting.Select(id => new PlanCampaign(id))], cancellationToken);
        LogReleased(logger, campaignId, waiting.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} ended; released {Count} follow-ups")]
    private static partial void LogReleased(ILogger logger, Guid campaignId, int count);
}
