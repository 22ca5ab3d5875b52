using System.Diagnostics.CodeAnalysis;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;

namespace Promotion.Engine.HotGoods;

/// <summary>A hot-goods schedule as stored.</summary>
/// <param name="Id">Schedule id.</param>
/// <param name="Segment">The segment pushed to.</param>
/// <param name="Cron">Cron expression in Quartz syntax (<see cref="HotGoodsCron"/>).</param>
/// <param name="TimeZone">Time zone id the cron is read in.</param>
/// <param name="TopK">Products named per push.</param>
/// <param name="Channels">Channels pushed on.</param>
/// <param name="Status">Active or paused.</param>
/// <param name="CreatedAt">When created.</param>
/// <param name="UpdatedAt">Last status change.</param>
/// <param name="FollowUp">The push campaign started after each firing's campaign completes; null for none.</param>
public sealed record HotGoodsSchedule(
    Guid Id,
    string Segment,
    string Cron,
    string TimeZone,
    int TopK,
    IReadOnlyList<Channel> Channels,
    HotGoodsScheduleStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    CampaignDraft? FollowUp = null)
{
    /// <summary>When the schedule fires next after <paramref name="instant"/>; null when paused or never.</summary>
    public DateTimeOffset? NextFireTimeAfter(DateTimeOffset instant) =>
        Status == HotGoodsScheduleStatus.Active && TryReadTiming(out var cron, out var zone, out _) ? cron.NextAfter(instant, zone) : null;

    /// <summary>The cron and time zone; false with the reason when either cannot be read (any more).</summary>
    internal bool TryReadTiming([NotNullWhen(true)] out HotGoodsCron? cron, [NotNullWhen(true)] out TimeZoneInfo? zone, [NotNullWhen(false)] out string? problem)
    {
        zone = null;
        if (!HotGoodsCron.TryParse(Cron, out cron, out problem))
        {
            return false;
        }

        if (!HotGoodsScheduleDraft.TryFindTimeZone(TimeZone, out var found) || found is null)
        {
            problem = $"unknown time zone '{TimeZone}'";
            cron = null;
            return false;
        }

        zone = found;
        return true;
    }
}

/// <summary>A schedule with when it fires next (null when paused or never again).</summary>
public sealed record HotGoodsScheduleView(HotGoodsSchedule Schedule, DateTimeOffset? NextFireTime);

/// <summary>How a firing ended.</summary>
public enum HotGoodsFiringOutcome
{
    /// <summary>A hot-goods campaign was started.</summary>
    Campaign,
    /// <summary>The segment's categories had no product with statistics in the window: nothing to push.</summary>
    NoGoods,
    /// <summary>The campaign could not be created (e.g. the segment is gone); see the detail.</summary>
    Failed,
}

/// <summary>
/// One firing of a schedule: unique per (schedule, scheduled fire time), which is what makes a
/// firing start at most one campaign however often the scheduler runs it.
/// </summary>
/// <param name="ScheduleId">The schedule.</param>
/// <param name="ScheduledAt">The fire time the scheduler fired for.</param>
/// <param name="NodeId">The host that claimed (and ran) it.</param>
/// <param name="ClaimedAt">When it was claimed.</param>
/// <param name="Outcome">How it ended; null while it runs (or if its host died before it ended).</param>
/// <param name="CampaignId">The campaign started, when one was.</param>
/// <param name="Detail">Why it failed or found nothing.</param>
/// <param name="CompletedAt">When it ended.</param>
/// <param name="FollowUpId">The follow-up campaign created to wait for <paramref name="CampaignId"/>, when the schedule has one.</param>
public sealed record HotGoodsFiringRecord(
    Guid ScheduleId,
    DateTimeOffset ScheduledAt,
    string NodeId,
    DateTimeOffset ClaimedAt,
    HotGoodsFiringOutcome? Outcome,
    Guid? CampaignId,
    string? Detail,
    DateTimeOffset? CompletedAt,
    Guid? FollowUpId = null);
