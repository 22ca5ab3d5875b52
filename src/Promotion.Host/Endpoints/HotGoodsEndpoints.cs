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
        }).WithSummary("Create a hot-goods schedule: each firing pushes the top goods of the segment's categories to the segment")
        .AcceptsJson<CreateHotGoodsScheduleRequest>().Produces<HotGoodsScheduleCreatedResponse>(StatusCodes.Status201Created);

        group.MapGet("/", async (HotGoodsScheduleCommands commands, CancellationToken ct) =>
            Results.Ok(new { items = (await commands.ListAsync(ct)).Select(HotGoodsScheduleResponse.From) }))
            .WithSummary("Every hot-goods schedule with its next fire time").Produces<HotGoodsScheduleListResponse>();

        group.MapGet("/{id}", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () => Results.Ok(HotGoodsScheduleResponse.From(await commands.GetAsync(guid, ct))))))
            .WithSummary("A hot-goods schedule with its next fire time")
            .Produces<HotGoodsScheduleResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id}/pause", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () => Results.Ok(HotGoodsScheduleResponse.From(await commands.PauseAsync(guid, ct))))))
            .WithSummary("Pause: nothing fires until resumed")
            .Produces<HotGoodsScheduleResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{id}/resume", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () => Results.Ok(HotGoodsScheduleResponse.From(await commands.ResumeAsync(guid, ct))))))
            .WithSummary("Resume: periods missed while paused fire once, then the cron continues")
            .Produces<HotGoodsScheduleResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapDelete("/{id}", (string id, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () =>
            {
                await commands.DeleteAsync(guid, ct);
                return Results.NoContent();
            })))
            .WithSummary("Delete the schedule; campaigns it started stay")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/firings", (string id, int? limit, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            WithId(id, guid => ApiProblems.RunAsync(async () =>
                Results.Ok(new { items = (await commands.ListFiringsAsync(guid, limit ?? 50, ct)).Select(HotGoodsFiringResponse.From) }))))
            .WithSummary("The schedule's latest firings, newest first: fire time, host, outcome and campaign")
            .Produces<HotGoodsFiringListResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

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
        }).WithSummary("Replace the product categories a segment cares about (its hot-goods pushes draw from them)")
        .AcceptsJson<SegmentCategoriesRequest>().Produces<SegmentCategoriesResponse>();

        segments.MapGet("/{segment}/categories", (string segment, HotGoodsScheduleCommands commands, CancellationToken ct) =>
            ApiProblems.RunAsync(async () => Results.Ok(new SegmentCategoriesResponse(segment, await commands.GetSegmentCategoriesAsync(segment, ct)))))
            .WithSummary("The product categories a segment cares about")
            .Produces<SegmentCategoriesResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Task<IResult> WithId(string id, Func<Guid, Task<IResult>> then) =>
        ApiProblems.ParseId(id) is { } guid ? then(guid) : Task.FromResult(ApiProblems.Invalid("id", "id must be a UUID"));
}
