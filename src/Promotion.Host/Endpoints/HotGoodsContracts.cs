using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Host.Endpoints;

/// <summary>Body of <c>POST /api/hot-goods-schedules</c>.</summary>
public sealed record CreateHotGoodsScheduleRequest(string? Segment, string? Cron, int? TopK, string? TimeZone, string?[]? Channels, FollowUpRequest? FollowUp = null)
{
    /// <summary>The draft the engine validates.</summary>
    public HotGoodsScheduleDraft ToDraft() => new(Segment, Cron, TopK, TimeZone, Channels, FollowUp?.ToDraft());
}

/// <summary>
/// A push campaign a schedule starts after each firing's hot-goods campaign completes (never after
/// one that failed or was cancelled): the body of <c>POST /api/campaigns</c> without <c>after</c>.
/// </summary>
public sealed record FollowUpRequest(
    string? Name,
    AudienceRequest? Audience,
    MessageRequest? Message,
    string?[]? Channels,
    string? Priority,
    int? ShardSize,
    int? MaxSendsPerSecond)
{
    /// <summary>The draft the engine validates.</summary>
    public CampaignDraft ToDraft() => new(Name, Audience?.Segment, Message?.Title, Message?.Body, Channels, Priority, ShardSize, MaxSendsPerSecond);

    /// <summary>Shows a stored draft the way it was asked for.</summary>
    public static FollowUpRequest From(CampaignDraft d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Name, new AudienceRequest(d.Segment), new MessageRequest(d.Title, d.Body), d.Channels?.ToArray(), d.Priority, d.ShardSize, d.MaxSendsPerSecond);
    }
}

/// <summary>A hot-goods schedule as the API shows it.</summary>
public sealed record HotGoodsScheduleResponse(
    Guid Id,
    string Segment,
    string Cron,
    string TimeZone,
    int TopK,
    IReadOnlyList<string> Channels,
    HotGoodsScheduleStatus Status,
    DateTimeOffset? NextFireTime,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    FollowUpRequest? FollowUp)
{
    /// <summary>Maps the engine's view.</summary>
    public static HotGoodsScheduleResponse From(HotGoodsScheduleView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var s = view.Schedule;
        return new(s.Id, s.Segment, s.Cron, s.TimeZone, s.TopK, [.. s.Channels.Select(c => c.ToWire())], s.Status, view.NextFireTime, s.CreatedAt, s.UpdatedAt,
            s.FollowUp is null ? null : FollowUpRequest.From(s.FollowUp));
    }
}

/// <summary>One firing of a schedule as the API shows it.</summary>
public sealed record HotGoodsFiringResponse(
    DateTimeOffset ScheduledAt, string NodeId, DateTimeOffset ClaimedAt, HotGoodsFiringOutcome? Outcome, Guid? CampaignId, Guid? FollowUpId, string? Detail, DateTimeOffset? CompletedAt)
{
    /// <summary>Maps the engine's record.</summary>
    public static HotGoodsFiringResponse From(HotGoodsFiringRecord f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.ScheduledAt, f.NodeId, f.ClaimedAt, f.Outcome, f.CampaignId, f.FollowUpId, f.Detail, f.CompletedAt);
    }
}

/// <summary>Body of <c>PUT /api/segments/{segment}/categories</c>.</summary>
public sealed record SegmentCategoriesRequest(string?[]? Categories);

/// <summary>A segment's categories.</summary>
public sealed record SegmentCategoriesResponse(string Segment, IReadOnlyList<string> Categories);

/// <summary>What <c>POST /api/hot-goods-schedules</c> answers (201).</summary>
public sealed record HotGoodsScheduleCreatedResponse(Guid Id, DateTimeOffset? NextFireTime);

/// <summary>Every hot-goods schedule.</summary>
public sealed record HotGoodsScheduleListResponse(IReadOnlyList<HotGoodsScheduleResponse> Items);

/// <summary>A schedule's latest firings, newest first.</summary>
public sealed record HotGoodsFiringListResponse(IReadOnlyList<HotGoodsFiringResponse> Items);
