using Promotion.Domain.Campaigns;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// What operators do to hot-goods schedules and to the segment-to-categories mapping (the admin API
/// calls these). The schedule row is the source of truth; the scheduler's trigger follows it.
/// </summary>
public sealed class HotGoodsScheduleCommands(
    IHotGoodsSchedules schedules,
    IHotGoodsTriggers triggers,
    IGoodsCatalog catalog,
    IMemberDirectory members,
    TimeProvider time)
{
    /// <summary>Most firings listed per schedule.</summary>
    public const int MaxFiringsListed = 200;

    /// <summary>Validates and stores a schedule, then starts firing it.</summary>
    /// <exception cref="CampaignValidationException">The draft is invalid; nothing was stored.</exception>
    public async Task<HotGoodsScheduleView> CreateAsync(HotGoodsScheduleDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = draft.Validate(triggers.ExplainCron).ToList();
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
            await triggers.ScheduleAsync(schedule, cancellationToken);
        }
        catch
        {
            // A schedule the scheduler does not know would look active and never fire.
            await schedules.DeleteAsync(schedule.Id, CancellationToken.None);
            throw;
        }

        return new HotGoodsScheduleView(schedule, await triggers.NextFireTimeAsync(schedule.Id, cancellationToken));
    }

    /// <summary>The schedule with its next fire time.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    public async Task<HotGoodsScheduleView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
        return await ViewAsync(schedule, cancellationToken);
    }

    /// <summary>Every schedule with its next fire time, oldest first.</summary>
    public async Task<IReadOnlyList<HotGoodsScheduleView>> ListAsync(CancellationToken cancellationToken)
    {
        var all = await schedules.ListAsync(cancellationToken);
        var views = new List<HotGoodsScheduleView>(all.Count);
        foreach (var s in all)
        {
            views.Add(await ViewAsync(s, cancellationToken));
        }

        return views;
    }

    /// <summary>Stops firing until resumed.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    /// <exception cref="IllegalTransitionException">Already paused.</exception>
    public Task<HotGoodsScheduleView> PauseAsync(Guid id, CancellationToken cancellationToken) =>
        TransitionAsync(id, HotGoodsScheduleStatus.Active, HotGoodsScheduleStatus.Paused, triggers.PauseAsync, cancellationToken);

    /// <summary>Fires again; the periods missed while paused fire once, not once each.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    /// <exception cref="IllegalTransitionException">Not paused.</exception>
    public Task<HotGoodsScheduleView> ResumeAsync(Guid id, CancellationToken cancellationToken) =>
        TransitionAsync(id, HotGoodsScheduleStatus.Paused, HotGoodsScheduleStatus.Active, triggers.ResumeAsync, cancellationToken);

    /// <summary>Stops firing for good and forgets the schedule; its campaigns stay.</summary>
    /// <exception cref="KeyNotFoundException">Unknown schedule.</exception>
    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        _ = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
        // Trigger first: a firing that still comes finds no schedule and pushes nothing.
        await triggers.DeleteAsync(id, cancellationToken);
        await schedules.DeleteAsync(id, cancellationToken);
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
        Guid id, HotGoodsScheduleStatus from, HotGoodsScheduleStatus to, Func<Guid, CancellationToken, Task> apply, CancellationToken cancellationToken)
    {
        var changed = await schedules.SetStatusAsync(id, from, to, time.GetUtcNow(), cancellationToken);
        if (changed is null)
        {
            var current = await schedules.GetAsync(id, cancellationToken) ?? throw Unknown(id);
            throw new IllegalTransitionException($"cannot {(to == HotGoodsScheduleStatus.Paused ? "pause" : "resume")} a schedule that is {current.Status}");
        }

        try
        {
            await apply(id, cancellationToken);
        }
        catch
        {
            // Keep the row and the trigger in step: the operator sees the old status and may try again.
            await schedules.SetStatusAsync(id, to, from, time.GetUtcNow(), CancellationToken.None);
            throw;
        }

        return await ViewAsync(changed, cancellationToken);
    }

    private async Task<HotGoodsScheduleView> ViewAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken) =>
        new(schedule, schedule.Status == HotGoodsScheduleStatus.Paused ? null : await triggers.NextFireTimeAsync(schedule.Id, cancellationToken));

    private static KeyNotFoundException Unknown(Guid id) => new($"no hot-goods schedule {id}");
}
