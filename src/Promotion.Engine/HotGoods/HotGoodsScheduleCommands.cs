using Orleans;
using Promotion.Domain.Campaigns;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// What operators do to hot-goods schedules and to the segment-to-categories mapping (the admin API
/// calls these). The schedule row is the source of truth; the schedule's grain, on a scheduler silo,
/// follows it: create and resume start it (reminder and timer), pause and delete stop it.
/// </summary>
public sealed class HotGoodsScheduleCommands(
    IHotGoodsSchedules schedules,
    IGrainFactory grains,
    IGoodsCatalog catalog,
    IMemberDirectory members,
    TimeProvider time)
{
    /// <summary>Most firings listed per schedule.</summary>
    public const int MaxFiringsListed = 200;

    /// <summary>Validates and stores a schedule, then starts its grain.</summary>
    /// <exception cref="CampaignValidationException">The draft is invalid; nothing was stored.</exception>
    public async Task<HotGoodsScheduleView> CreateAsync(HotGoodsScheduleDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = draft.Validate().ToList();
        if (errors.All(e => e.Field != "segment"))
        {
            var segment = draft.Segment!.Trim();
            if (!await members.SegmentExistsAsync(segment, cancellationToken))
            {
                errors.Add(("segment", $"'{segment}' is not a known segment"));
            }
            else if ((await catalog.GetSegmentCategoriesAsync(segment, cancellationToken)).Count == 0)
            {
                errors.Add(("segment", $"segment '{segment}' has no categories; PUT /api/segments/{segment}/categories first"));
            }
        }

        if (draft.FollowUp?.Segment is { Length: > 0 } followUpSegment && errors.All(e => e.Field != "followUp.audience.segment")
            && !await members.SegmentExistsAsync(followUpSegment, cancellationToken))
        {
            errors.Add(("followUp.audience.segment", $"'{followUpSegment}' is not a known segment"));
        }

        if (errors.Count > 0)
        {
            throw new CampaignValidationException(errors);
        }

        var now = time.GetUtcNow();
        var schedule = new HotGoodsSchedule(Guid.NewGuid(), draft.Segment!.Trim(), draft.Cron!.Trim(), draft.ParsedTimeZone(), draft.TopK!.Value,
            draft.ParsedChannels(), HotGoodsScheduleStatus.Active, now, now, draft.FollowUp);
        await schedules.CreateAsync(schedule, cancellationToken);
        try
        {
            await Grain(schedule.Id).StartAsync();
        }
        catch
        {
            // A schedule without its reminder would look active and never fire (no scheduler silo, for one).
            await schedules.DeleteAsync(schedule.Id, CancellationToken.None);
            throw;
        }

        return View(schedule);
    }

    /// <summary>The schedule with its next fire time.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    public async Task<HotGoodsScheduleView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
        return View(schedule);
    }

    /// <summary>Every schedule with its next fire time, oldest first.</summary>
    public async Task<IReadOnlyList<HotGoodsScheduleView>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await schedules.ListAsync(cancellationToken)).Select(View)];

    /// <summary>Stops firing until resumed: the grain drops its reminder and timer.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    /// <exception cref="IllegalTransitionException">Already paused.</exception>
    public Task<HotGoodsScheduleView> PauseAsync(Guid id, CancellationToken cancellationToken) =>
        TransitionAsync(id, HotGoodsScheduleStatus.Active, HotGoodsScheduleStatus.Paused, g => g.StopAsync(), cancellationToken);

    /// <summary>Fires again (the grain registers its reminder and arms its timer); the periods missed while paused fire once, not once each.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    /// <exception cref="IllegalTransitionException">Not paused.</exception>
    public Task<HotGoodsScheduleView> ResumeAsync(Guid id, CancellationToken cancellationToken) =>
        TransitionAsync(id, HotGoodsScheduleStatus.Paused, HotGoodsScheduleStatus.Active, g => g.StartAsync(), cancellationToken);

    /// <summary>Stops firing for good and forgets the schedule; its campaigns stay.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
        // Grain first: a firing that still comes finds no schedule and pushes nothing.
        await Grain(id).StopAsync();
        try
        {
            await schedules.DeleteAsync(id, cancellationToken);
        }
        catch when (schedule.Status == HotGoodsScheduleStatus.Active)
        {
            // The row stays: start its grain again, or it would look active and never fire.
            await Grain(id).StartAsync();
            throw;
        }
    }

    /// <summary>The schedule's latest firings, newest first.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    public async Task<IReadOnlyList<HotGoodsFiringRecord>> ListFiringsAsync(Guid id, int limit, CancellationToken cancellationToken)
    {
        _ = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
        return await schedules.ListFiringsAsync(id, Math.Clamp(limit, 1, MaxFiringsListed), cancellationToken);
    }

    /// <summary>Replaces the categories <paramref name="segment"/> cares about; returns them normalized (trimmed, sorted, no repeats).</summary>
    /// <exception cref="CampaignValidationException">Unknown segment, a blank or unknown category; nothing was changed.</exception>
    public async Task<IReadOnlyList<string>> SetSegmentCategoriesAsync(string segment, IReadOnlyList<string?>? categories, CancellationToken cancellationToken)
    {
        var errors = SegmentCategories.Validate(categories).ToList();
        if (!await members.SegmentExistsAsync(segment, cancellationToken))
        {
            errors.Add(("segment", $"'{segment}' is not a known segment"));
        }

        if (errors.Count == 0)
        {
            var unknown = (await catalog.UnknownCategoriesAsync(SegmentCategories.Normalize(categories!), cancellationToken)).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < categories!.Count; i++)
            {
                if (unknown.Contains(categories[i]!.Trim()))
                {
                    errors.Add(($"categories[{i}]", $"'{categories[i]!.Trim()}' is not a category of any product"));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new CampaignValidationException(errors);
        }

        var normalized = SegmentCategories.Normalize(categories!);
        await catalog.SetSegmentCategoriesAsync(segment, normalized, cancellationToken);
        return normalized;
    }

    /// <summary>The categories <paramref name="segment"/> cares about.</summary>
    /// <exception cref="KeyNotFoundException">Unknown segment.</exception>
    public async Task<IReadOnlyList<string>> GetSegmentCategoriesAsync(string segment, CancellationToken cancellationToken) =>
        await members.SegmentExistsAsync(segment, cancellationToken)
            ? await catalog.GetSegmentCategoriesAsync(segment, cancellationToken)
            : throw new KeyNotFoundException($"no segment '{segment}'");

    private async Task<HotGoodsScheduleView> TransitionAsync(
        Guid id, HotGoodsScheduleStatus from, HotGoodsScheduleStatus to, Func<IScheduleGrain, Task> apply, CancellationToken cancellationToken)
    {
        var changed = await schedules.SetStatusAsync(id, from, to, time.GetUtcNow(), cancellationToken);
        if (changed is null)
        {
            var current = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
            throw new IllegalTransitionException($"cannot {(to == HotGoodsScheduleStatus.Paused ? "pause" : "resume")} a schedule that is {current.Status}");
        }

        try
        {
            await apply(Grain(id));
        }
        catch
        {
            // Keep the row and the grain in step: the operator sees the old status and may try again.
            await schedules.SetStatusAsync(id, to, from, time.GetUtcNow(), CancellationToken.None);
            throw;
        }

        return View(changed);
    }

    // Computed from the cron rather than asked of the grain: listing schedules activates none.
    private HotGoodsScheduleView View(HotGoodsSchedule schedule) => new(schedule, schedule.NextFireTimeAfter(time.GetUtcNow()));

    private IScheduleGrain Grain(Guid id) => grains.GetGrain<IScheduleGrain>(id);

    private static KeyNotFoundException Unknown(Guid id) => new($"no hot-goods schedule {id}");
}
