using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Host.Endpoints;

/// <summary>
/// <c>POST /api/events/login</c>: a JSON array of up to 1,000 <c>{memberId, at}</c>, answered 202
/// only once the batch is durably queued (the broker confirmed it), or 400 naming each bad item.
/// </summary>
internal static partial class LoginEventEndpoints
{
    private const int MaxReportedErrors = 50;

    public static IEndpointRouteBuilder MapLoginEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events/login", async (HttpRequest request, CouponCommands commands, CancellationToken ct) =>
        {
            var (body, problem) = await ApiProblems.ReadJsonAsync<JsonNode>(request);
            if (problem is not null)
            {
                return problem;
            }

            if (body is not JsonArray items)
            {
                return ApiProblems.Invalid("body", "the body must be a JSON array of login events [{\"memberId\": 1, \"at\": \"2026-05-01T12:00:00Z\"}]");
            }

            if (items.Count == 0)
            {
                return ApiProblems.Invalid("body", "send at least one login event");
            }

            if (items.Count > LoginEventRules.MaxBatch)
            {
                return ApiProblems.Invalid("body", $"a batch holds at most {LoginEventRules.MaxBatch:N0} login events; this one has {items.Count:N0}");
            }

            var errors = new List<(string, string)>();
            var events = new List<LoginEvent>(items.Count);
            for (var i = 0; i < items.Count && errors.Count < MaxReportedErrors; i++)
            {
                if (Parse(items[i], i, errors) is { } e)
                {
                    events.Add(e);
                }
            }

            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            return await ApiProblems.RunAsync(async () =>
            {
                await commands.AcceptLoginsAsync(events, ct);
                return Results.Accepted(value: new { accepted = events.Count });
            });
        }).WithTags("Events").WithSummary("Queue up to 1,000 login events for the coupon issuer; 202 once the broker has them")
        .AcceptsJson<LoginEventRequest[]>().Produces<LoginEventsAcceptedResponse>(StatusCodes.Status202Accepted);
        return app;
    }

    private static LoginEvent? Parse(JsonNode? item, int index, List<(string, string)> errors)
    {
        if (item is not JsonObject obj)
        {
            errors.Add(($"[{index}]", $"[{index}] must be an object {{\"memberId\": ..., \"at\": ...}}"));
            return null;
        }

        var memberId = LoginEventJson.MemberId(obj["memberId"]);
        if (memberId is null)
        {
            errors.Add(($"[{index}].memberId", $"[{index}].memberId must be a positive integer member id (a JSON number or a string of digits)"));
        }

        var at = LoginEventJson.At(obj["at"]);
        if (at is null)
        {
            errors.Add(($"[{index}].at", $"[{index}].at must be an ISO 8601 time with an offset, e.g. 2026-05-01T12:00:00Z"));
        }

        return memberId is { } id && at is { } when ? new LoginEvent(id, when) : null;
    }
}
