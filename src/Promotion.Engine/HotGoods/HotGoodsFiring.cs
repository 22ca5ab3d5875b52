using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// One firing of a hot-goods schedule: claims the firing (unique per schedule and scheduled fire
/// time, so a re-run starts no second campaign), ranks the goods of the segment's categories over
/// the window, starts a hot-goods campaign for the segment with the goods in its message, and the
/// schedule's follow-up waiting for it. Both campaign ids derive from the firing, so a run taken
/// over from a dead silo finds what the first run created instead of creating it again.
/// </summary>
public sealed partial class HotGoodsFiring(
    IHotGoodsSchedules schedules,
    IGoodsCatalog catalog,
    CampaignCommands campaigns,
    IClusterMembershipService membership,
    NodeIdentity node,
    PromotionInstruments instruments,
    IOptions<HotGoodsOptions> options,
    TimeProvider time,
    ILogger<HotGoodsFiring> logger)
{
    /// <summary>
    /// Runs the firing of <paramref name="scheduleId"/> for <paramref name="scheduledAt"/>; returns
    /// its record, or null when this call did nothing (schedule gone or paused, or the firing was
    /// already run or is being run by an active silo). <paramref name="recovering"/> says the schedule
    /// is re-running a firing it found unfinished; the claim decides either way.
    /// </summary>
    public async Task<HotGoodsFiringRecord?> FireAsync(Guid scheduleId, DateTimeOffset scheduledAt, bool recovering, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(scheduleId, cancellationToken);
        if (schedule is null)
        {
            // Deleted while the firing was on its way; the schedule's grain drops its reminder.
            LogUnknownSchedule(logger, scheduleId);
            return null;
        }

        if (schedule.Status == HotGoodsScheduleStatus.Paused)
        {
            // Pause stops the schedule's timer and reminder; this covers a firing already on its way at that moment.
            LogPaused(logger, scheduleId, scheduledAt);
            return null;
        }

        if (!await ClaimAsync(scheduleId, scheduledAt, recovering, cancellationToken))
        {
            return null;
        }

        try
        {
            return await RunAsync(schedule, scheduledAt, cancellationToken);
        }
        catch (Exception ex)
        {
            // Give the claim back so a later run of this firing (recovery, retry) is not refused.
            LogFiringFailed(logger, scheduleId, scheduledAt, ex);
            await TryReleaseAsync(scheduleId, scheduledAt);
            throw;
        }
    }

    private async Task<bool> ClaimAsync(Guid scheduleId, DateTimeOffset scheduledAt, bool recovering, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var existing = await schedules.TryClaimFiringAsync(scheduleId, scheduledAt, node.NodeId, now, cancellationToken);
        if (existing is null)
        {
            return true;
        }

        if (existing.Outcome is not null || existing.NodeId == node.NodeId || IsActiveSilo(existing.NodeId))
        {
            LogDuplicate(logger, scheduleId, scheduledAt, existing.NodeId, existing.Outcome?.ToString() ?? "running", recovering);
            return false;
        }

        // Its silo is gone (dead, leaving, or never of this cluster) and the firing did not end: take it over, unless another silo just did.
        if (!await schedules.TakeOverFiringAsync(scheduleId, scheduledAt, existing.NodeId, node.NodeId, now, cancellationToken))
        {
            LogDuplicate(logger, scheduleId, scheduledAt, existing.NodeId, "taken over elsewhere", recovering);
            return false;
        }

        LogTakenOver(logger, scheduleId, scheduledAt, existing.NodeId);
        return true;
    }

    // A claim's node id is the name of the silo that made it. Only an Active silo may still be running
    // the firing; a silo that is dead, shutting down or absent from the membership never finishes it.
    private bool IsActiveSilo(string nodeId) =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && string.Equals(m.Name, nodeId, StringComparison.Ordinal));

    private async Task<HotGoodsFiringRecord> RunAsync(HotGoodsSchedule schedule, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var categories = await catalog.GetSegmentCategoriesAsync(schedule.Segment, cancellationToken);
        var day = DateOnly.FromDateTime(scheduledAt.UtcDateTime);
        var from = day.AddDays(-(o.WindowDays - 1));
        var to = day.AddDays(1);
        var activity = categories.Count == 0 ? [] : await catalog.ReadActivityAsync(categories, from, to, cancellationToken);
        var top = HotGoodsRanking.Top(activity, schedule.TopK);
        if (top.Count == 0)
        {
            var why = categories.Count == 0
                ? $"segment '{schedule.Segment}' has no categories"
                : $"no product of {string.Join(", ", categories)} has statistics from {from:yyyy-MM-dd} to {day:yyyy-MM-dd}";
            LogNoGoods(logger, schedule.Id, scheduledAt, why);
            return await CompleteAsync(schedule.Id, scheduledAt, HotGoodsFiringOutcome.NoGoods, null, null, why);
        }

        var name = Cut(string.Create(CultureInfo.InvariantCulture, $"Hot goods for {schedule.Segment} ({scheduledAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)"), CampaignDraft.MaxNameLength);
        var draft = new CampaignDraft(name, schedule.Segment, HotGoodsMessage.Title(top), HotGoodsMessage.Body(top),
            [.. schedule.Channels.Select(c => c.ToWire())], null, null, o.MaxSendsPerSecond);
        Campaign campaign;
        try
        {
            campaign = await campaigns.CreateAsync(draft, CampaignKind.HotGoods, HotGoodsPayload.Create(schedule.Id, scheduledAt, schedule.Segment, top),
                cancellationToken, id: FiringCampaignIds.Campaign(schedule.Id, scheduledAt));
        }
        catch (CampaignValidationException ex)
        {
            // E.g. the segment was removed since the schedule was made: record why instead of retrying forever.
            LogRefused(logger, schedule.Id, scheduledAt, ex.Message);
            return await CompleteAsync(schedule.Id, scheduledAt, HotGoodsFiringOutcome.Failed, null, null, ex.Message);
        }

        LogStarted(logger, schedule.Id, scheduledAt, campaign.Id, schedule.Segment, top.Count);
        var (followUpId, followUpProblem) = await StartFollowUpAsync(schedule, scheduledAt, campaign, cancellationToken);
        return await CompleteAsync(schedule.Id, scheduledAt, HotGoodsFiringOutcome.Campaign, campaign.Id, followUpId, followUpProblem);
    }

    // The follow-up waits for the firing's campaign: planned when it completes, cancelled when it does not.
    private async Task<(Guid? Id, string? Problem)> StartFollowUpAsync(HotGoodsSchedule schedule, DateTimeOffset scheduledAt, Campaign campaign, CancellationToken cancellationToken)
    {
        if (schedule.FollowUp is not { } followUp)
        {
            return (null, null);
        }

        try
        {
            var created = await campaigns.CreateAsync(followUp, CampaignKind.Push, null, cancellationToken,
                after: campaign.Id, id: FiringCampaignIds.FollowUp(schedule.Id, scheduledAt));
            LogFollowUpCreated(logger, schedule.Id, scheduledAt, created.Id, campaign.Id);
            return (created.Id, null);
        }
        catch (CampaignValidationException ex)
        {
            // The hot-goods campaign runs regardless; the firing records why its follow-up did not.
            LogFollowUpRefused(logger, schedule.Id, scheduledAt, ex.Message);
            return (null, "follow-up not started: " + ex.Message);
        }
    }

    private async Task<HotGoodsFiringRecord> CompleteAsync(
        Guid scheduleId, DateTimeOffset scheduledAt, HotGoodsFiringOutcome outcome, Guid? campaignId, Guid? followUpId, string? detail)
    {
        var now = time.GetUtcNow();
        // Not cancellable: the campaign exists now, and the record is what stops a re-run from starting another.
        await schedules.CompleteFiringAsync(scheduleId, scheduledAt, outcome, campaignId, followUpId, detail, now, CancellationToken.None);
        instruments.HotGoodsFirings.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        return new HotGoodsFiringRecord(scheduleId, scheduledAt, node.NodeId, now, outcome, campaignId, detail, now, followUpId);
    }

    private async Task TryReleaseAsync(Guid scheduleId, DateTimeOffset scheduledAt)
    {
        try
        {
            await schedules.ReleaseFiringAsync(scheduleId, scheduledAt, node.NodeId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReleaseFailed(logger, scheduleId, scheduledAt, ex);
        }
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hot-goods schedule {ScheduleId} fired but no longer exists; nothing was pushed")]
    private static partial void LogUnknownSchedule(ILogger logger, Guid scheduleId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot-goods schedule {ScheduleId} is paused; the firing for {ScheduledAt:o} pushes nothing")]
    private static partial void LogPaused(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} already claimed by {NodeId} ({State}; recovering {Recovering}); not run again")]
    private static partial void LogDuplicate(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, string state, bool recovering);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} taken over from silo {NodeId}, which is not active in the cluster")]
    private static partial void LogTakenOver(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, string nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} found nothing to push: {Why}")]
    private static partial void LogNoGoods(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} could not start a campaign: {Why}")]
    private static partial void LogRefused(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} started campaign {CampaignId} for segment {Segment} with {Goods} goods")]
    private static partial void LogStarted(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, Guid campaignId, string segment, int goods);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} created follow-up {FollowUpId}, waiting for campaign {CampaignId}")]
    private static partial void LogFollowUpCreated(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, Guid followUpId, Guid campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} could not create its follow-up: {Why}")]
    private static partial void LogFollowUpRefused(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hot-goods firing {ScheduleId}@{ScheduledAt:o} failed; its claim is released")]
    private static partial void LogFiringFailed(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the claim of hot-goods firing {ScheduleId}@{ScheduledAt:o}; a re-run takes it over once this silo is gone")]
    private static partial void LogReleaseFailed(ILogger logger, Guid scheduleId, DateTimeOffset scheduledAt, Exception exception);
}
