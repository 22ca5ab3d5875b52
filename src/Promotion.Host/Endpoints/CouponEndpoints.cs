using System.Globalization;
using Promotion.Engine.Coupons;

namespace Promotion.Host.Endpoints;

/// <summary>
/// Lazy coupons: coupon campaigns under <c>/api/coupon-campaigns</c>, a member's coupons under
/// <c>/api/members/{id}/coupons</c>, and claim and redeem under <c>/api/coupons/{id}</c>.
/// </summary>
internal static class CouponEndpoints
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapCouponEndpoints(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/coupon-campaigns").WithTags("Coupons");

        campaigns.MapPost("/", async (HttpRequest request, CouponCommands commands, TimeProvider time, CancellationToken ct) =>
        {
            var (body, problem) = await ApiProblems.ReadJsonAsync<CreateCouponCampaignRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            return await ApiProblems.RunAsync(async () =>
            {
                var campaign = await commands.CreateAsync(body!.ToDraft(), ct);
                return Results.Created($"/api/coupon-campaigns/{campaign.Id}", new { id = campaign.Id });
            });
        }).WithSummary("Create a coupon campaign: stored in PostgreSQL, mirrored to Redis, issued lazily on login")
        .AcceptsJson<CreateCouponCampaignRequest>().Produces<CreatedResponse>(StatusCodes.Status201Created);

        campaigns.MapGet("/", async (string? page, string? pageSize, ICouponStore store, TimeProvider time, CancellationToken ct) =>
        {
            var errors = new List<(string, string)>();
            var p = ParseInt(page, 1, "page", int.MaxValue, errors);
            var size = ParseInt(pageSize, 20, "pageSize", MaxPageSize, errors);
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            var result = await store.ListCampaignsAsync(p, size, ct);
            var now = time.GetUtcNow();
            return Results.Ok(new CouponCampaignListResponse([.. result.Items.Select(c => CouponCampaignResponse.From(c, now))], result.Total, result.Page, result.PageSize));
        }).WithSummary("List coupon campaigns, newest first, with issued count and stock left")
        .Produces<CouponCampaignListResponse>().ProducesValidationProblem();

        campaigns.MapGet("/{id}", async (string id, ICouponStore store, TimeProvider time, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid ? ApiProblems.Invalid("id", "id must be a UUID")
            : await store.GetCampaignAsync(guid, ct) is { } c ? Results.Ok(CouponCampaignResponse.From(c, time.GetUtcNow()))
            : ApiProblems.NotFound($"no coupon campaign {guid}"))
            .WithSummary("A coupon campaign with issued count and stock left")
            .Produces<CouponCampaignResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        campaigns.MapPost("/{id}/stop", (string id, CouponCommands commands, TimeProvider time, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid
                ? Task.FromResult(ApiProblems.Invalid("id", "id must be a UUID"))
                : ApiProblems.RunAsync(async () => Results.Ok(CouponCampaignResponse.From(await commands.StopAsync(guid, ct), time.GetUtcNow()))))
            .WithSummary("Stop issuing; coupons already issued stay valid")
            .Produces<CouponCampaignResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/members/{id}/coupons", async (string id, ICouponStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var memberId) || memberId <= 0)
            {
                return ApiProblems.Invalid("id", "id must be a positive integer member id");
            }

            var now = time.GetUtcNow();
            return Results.Ok(new { items = (await store.ListMemberCouponsAsync(memberId, ct)).Select(c => CouponResponse.From(c, now)) });
        }).WithTags("Coupons").WithSummary("A member's coupons, newest first")
        .Produces<MemberCouponsResponse>().ProducesValidationProblem();

        var coupons = app.MapGroup("/api/coupons").WithTags("Coupons");
        coupons.MapPost("/{id}/claim", (string id, CouponCommands commands, TimeProvider time, CancellationToken ct) =>
            ApiProblems.ParseId(id) is not { } guid
                ? Task.FromResult(ApiProblems.Invalid("id", "id must be a UUID"))
                : ApiProblems.RunAsync(async () => Results.Ok(CouponResponse.From(await commands.ClaimAsync(guid, ct), time.GetUtcNow()))))
            .WithSummary("Claim a coupon (idempotent); 409 when it is redeemed or expired")
            .Produces<CouponResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        coupons.MapPost("/{id}/redeem", async (string id, HttpRequest request, CouponCommands commands, TimeProvider time, CancellationToken ct) =>
        {
            if (ApiProblems.ParseId(id) is not { } guid)
            {
                return ApiProblems.Invalid("id", "id must be a UUID");
            }

            var (body, problem) = await ApiProblems.ReadJsonAsync<RedeemCouponRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            return await ApiProblems.RunAsync(async () => Results.Ok(CouponResponse.From(await commands.RedeemAsync(guid, body!.OrderId, ct), time.GetUtcNow())));
        }).WithSummary("Redeem a claimed coupon on an order (idempotent for the same order); 409 when not claimed, expired or redeemed with another order")
        .AcceptsJson<RedeemCouponRequest>().Produces<CouponResponse>()
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static int ParseInt(string? text, int fallback, string field, int max, List<(string, string)> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1 || n > max)
        {
            errors.Add((field, $"{field} must be an integer between 1 and {max:N0}"));
            return fallback;
        }

        return n;
    }
}
