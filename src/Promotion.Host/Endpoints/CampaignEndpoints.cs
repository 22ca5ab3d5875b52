using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;

namespace Promotion.Host.Endpoints;

/// <summary>The push campaign endpoints under <c>/api/campaigns</c>.</summary>
internal static class CampaignEndpoints
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/campaigns").WithTags("Campaigns");

        group.MapPost("/", async (HttpRequest request, CampaignCommands commands, CancellationToken ct) =>
        {
            var (body, problem) = await ApiProblems.ReadJsonAsync<CreateCampaignRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            return await ApiProblems.RunAsync(async () =>
            {
                var campaign = await commands.CreatePushAsync(body!.ToDraft(), body.After, ct);
                return Results.Created($"/api/campaigns/{campaign.Id}", new { id = campaign.Id });
            });
        }).WithSummary("Create a push campaign; planning happens asynchronously")
        .Accepts<CreateCampaignRequest>("application/json").Produces<CreatedResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/", async (string? kind, string? status, string? page, string? pageSize, ICampaignStore store, CancellationToken ct) =>
        {
            var errors = new List<(string, string)>();
            CampaignKind? k = null;
            CampaignStatus? s = null;
            if (kind is not null && !TryParseEnum<CampaignKind>(kind, out k))
            {
                errors.Add(("kind", $"'{kind}' is not a kind; use one of {string.Join(", ", Enum.GetNames<CampaignKind>())}"));
            }

            if (status is not null && !TryParseEnum<CampaignStatus>(status, out s))
            {
                errors.Add(("status", $"'{status}' is not a status; use one of {string.Join(", ", Enum.GetNames<CampaignStatus>())}"));
            }

            var p = ParseInt(page, 1, "page", 1, int.MaxValue, errors);
            var size = ParseInt(pageSize, 20, "pageSize", 1, MaxPageSize, errors);
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            var result = await store.ListAsync(new CampaignQuery(k, s, p, size), ct);
            return Results.Ok(new CampaignListResponse([.. result.Items.Select(CampaignResponse.From)], result.Total, result.Page, result.PageSize));
        }).WithSummary("List campaigns, newest first").Produces<CampaignListResponse>().ProducesValidationProblem();

        group.MapGet("/{id}", async (string id, ICampaignStore store, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid ? ApiProblems.Invalid("id", "id must be a UUID")
            : await store.GetAsync(guid, ct) is { } c ? Results.Ok(CampaignResponse.From(c))
            : ApiProblems.NotFound($"no campaign {guid}"))
            .WithSummary("A campaign with its progress").Produces<CampaignResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        MapCommand(group, "pause", (c, id, ct) => c.PauseAsync(id, ct), "Pause: stop taking new pages");
        MapCommand(group, "resume", (c, id, ct) => c.ResumeAsync(id, ct), "Resume from the checkpoints");
        MapCommand(group, "cancel", (c, id, ct) => c.CancelAsync(id, ct), "Cancel: in-flight sends finish, nothing more is sent");

        group.MapPost("/{id}/retry-failed", (string id, CampaignCommands commands, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid
                ? Task.FromResult(ApiProblems.Invalid("id", "id must be a UUID"))
                : ApiProblems.RunAsync(async () =>
                {
                    var retry = await commands.RetryFailedAsync(guid, ct);
                    return Results.Created($"/api/campaigns/{retry.Id}", new { id = retry.Id });
                }))
            .WithSummary("Start a follow-up pass over the members that failed, with the same idempotency keys")
            .Produces<CreatedResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{id}/failures/reasons", async (string id, ICampaignStore store, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid ? ApiProblems.Invalid("id", "id must be a UUID")
            : await store.GetStatusAsync(guid, ct) is null ? ApiProblems.NotFound($"no campaign {guid}")
            : Results.Ok(new { items = await store.ReadReasonsAsync(guid, ct) }))
            .WithSummary("Failures and skips by reason")
            .Produces<FailureReasonsResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/report.csv", (string id, ICampaignStore store, HttpContext http) => CampaignReport.WriteAsync(id, store, http, CampaignReport.Format.Csv))
            .WithSummary("Per-member failures with their reason, as CSV (streamed)")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/report.xlsx", (string id, ICampaignStore store, HttpContext http) => CampaignReport.WriteAsync(id, store, http, CampaignReport.Format.Xlsx))
            .WithSummary("Per-member failures with their reason, as an Excel workbook")
            .Produces<Stream>(StatusCodes.Status200OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static void MapCommand(RouteGroupBuilder group, string verb, Func<CampaignCommands, Guid, CancellationToken, Task<Campaign>> command, string summary) =>
        group.MapPost("/{id}/" + verb, (string id, CampaignCommands commands, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid
                ? Task.FromResult(ApiProblems.Invalid("id", "id must be a UUID"))
                : ApiProblems.RunAsync(async () => Results.Ok(CampaignResponse.From(await command(commands, guid, ct)))))
            .WithSummary(summary).Produces<CampaignResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static bool TryParseEnum<T>(string text, out T? value)
        where T : struct, Enum
    {
        var ok = Enum.TryParse<T>(text.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var v) && Enum.IsDefined(v);
        value = ok ? v : null;
        return ok;
    }

    private static int ParseInt(string? text, int fallback, string field, int min, int max, List<(string, string)> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            errors.Add((field, $"{field} must be an integer between {min} and {max:N0}"));
            return fallback;
        }

        return n;
    }
}
