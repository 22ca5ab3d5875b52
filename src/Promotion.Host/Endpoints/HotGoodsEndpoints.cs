using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Host.Endpoints;

/// <summary>
/// Hot-goods schedules under <c>/api/hot-goods-schedules</c>, and the categories each segment cares
/// about under <c>/api/segments/{segment}/categories</c>.
/// </summary>
internal static class HotGoodsEndpoints
{
    public static IEndpointRouteBuilder MapHotGoodsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/hot-goods-schedules").WithTags("Hot goods");

        group.MapPost("/", async (HttpRequest request, HotGoodsScheduleCommands commands, CancellationToken ct) =>
        {
            var (body, problem) = await ApiProblems.ReadJsonAsync<CreateHotGoodsScheduleRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            return await ApiProblems.RunAsync(async () =>
            {
                var view = await commands.CreateAsync(body!.ToDraft(), ct);
                return Results.Created($"/api/hot-goods-schedules/{view.Schedule.Id}", new { id = view.Schedule.Id, nextFireTime = view.NextFireTime });
            });
        }).WithSummary("Create a hot-goods schedule: each firing pushes the top goods of the segment's categories to the segment");

        group.MapGet("/", async (HotGoodsScheduleCommands commands, CancellationToken ct) =>
            Results.Ok(new { items = (await commands.ListAsync(ct)).Select(HotGoodsScheduleResponse.From) }))
            .WithSummary("Every hot-goods schedule with its next fire time");

        group.MapGet("/{id}", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () => Results.Ok(HotGoodsScheduleResponse.From(await commands.GetAsync(guid, ct))))))
            .WithSummary("A hot-goods schedule with its next fire time");

        group.MapPost("/{id}/pause", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () => Results.Ok(HotGoodsScheduleResponse.From(await commands.PauseAsync(guid, ct))))))
            .WithSummary("Pause: nothing fires until resumed");

        group.MapPost("/{id}/resume", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () => Results.Ok(HotGoodsScheduleResponse.From(await commands.ResumeAsync(guid, ct))))))
            .WithSummary("Resume: periods missed while paused fire once, then the cron continues");

        group.MapDelete("/{id}", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () =>
            {
                await commands.DeleteAsync(guid, ct);
                return Results.NoContent();
            })))
            .WithSummary("Delete the schedule; campaigns it started stay");

        group.MapGet("/{id}/firings", (string id, int? limit, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () =>
                Results.Ok(new { items = (await commands.ListFiringsAsync(guid, limit ?? 50, ct)).Select(HotGoodsFiringResponse.From) }))))
            .WithSummary("The schedule's latest firings, newest first: fire time, host, outcome and campaign");

        var segments = app.MapGroup("/api/segments").WithTags("Hot goods");
        segments.MapPut("/{segment}/categories", async (string segment, HttpRequest request, HotGoodsScheduleCommands commands, CancellationToken ct) =>
        {
            var (body, problem) = await ApiProblems.ReadJsonAsync<SegmentCategoriesRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            return await ApiProblems.RunAsync(async () =>
                Results.Ok(new SegmentCategoriesResponse(segment, await commands.SetSegmentCategoriesAsync(segment, body!.Categories, ct))));
        }).WithSummary("Replace the product categories a segment cares about (its hot-goods pushes draw from them)");

        segments.MapGet("/{segment}/categories", (string segment, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            ApiProblems.RunAsync(async () => Results.Ok(new SegmentCategoriesResponse(segment, await commands.GetSegmentCategoriesAsync(segment, ct)))))
            .WithSummary("The product categories a segment cares about");
        return app;
    }

    private static Task<IResult> WithId(string id, Func<Guid, Task<IResult>> then) =>
        ApiProblems.ParseId(id) is { } guid ? then(guid) : Task.FromResult(ApiProblems.Invalid("id", "id must be a UUID"));
}

/// <summary>Body of <c>POST /api/hot-goods-schedules</c>.</summary>
public sealed record CreateHotGoodsScheduleRequest(string? Segment, string? Cron, int? TopK, string? TimeZone, string?[]? Channels)
{
    /// <summary>The draft the engine validates.</summary>
    public HotGoodsScheduleDraft ToDraft() => new(Segment, Cron, TopK, TimeZone, Channels);
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
    DateTimeOffset UpdatedAt)
{
    /// <summary>Maps the engine's view.</summary>
    public static HotGoodsScheduleResponse From(HotGoodsScheduleView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var s = view.Schedule;
        return new(s.Id, s.Segment, s.Cron, s.TimeZone, s.TopK, [.. s.Channels.Select(c => c.ToWire())], s.Status, view.NextFireTime, s.CreatedAt, s.UpdatedAt);
    }
}

/// <summary>One firing of a schedule as the API shows it.</summary>
public sealed record HotGoodsFiringResponse(DateTimeOffset ScheduledAt, string NodeId, DateTimeOffset ClaimedAt, HotGoodsFiringOutcome? Outcome, Guid? CampaignId, string? Detail, DateTimeOffset? CompletedAt)
{
    /// <summary>Maps the engine's record.</summary>
    public static HotGoodsFiringResponse From(HotGoodsFiringRecord f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.ScheduledAt, f.NodeId, f.ClaimedAt, f.Outcome, f.CampaignId, f.Detail, f.CompletedAt);
    }
}

/// <summary>Body of <c>PUT /api/segments/{segment}/categories</c>.</summary>
public sealed record SegmentCategoriesRequest(string?[]? Categories);

/// <summary>A segment's categories.</summary>
public sealed record SegmentCategoriesResponse(string Segment, IReadOnlyList<string> Categories);
