using System.Text.Json;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;

namespace Promotion.Host.Endpoints;

/// <summary>
/// RFC 7807 problem details for the admin API: 400 naming the field, 404, 409. Also reads JSON
/// bodies itself so a malformed body or a wrong type is reported with the field's path.
/// </summary>
internal static class ApiProblems
{
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    /// <summary>Largest request body accepted (Kestrel enforces it too; this also covers other servers).</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>400 with an <c>errors</c> map keyed by field (camelCase path).</summary>
    public static IResult Invalid(IEnumerable<(string Field, string Message)> errors)
    {
        var map = errors.GroupBy(e => e.Field.Length == 0 ? "body" : e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        var first = map.First();
        return Results.ValidationProblem(map, title: "Invalid request: " + first.Value[0], detail: "fields: " + string.Join(", ", map.Keys));
    }

    /// <summary>400 for one field.</summary>
    public static IResult Invalid(string field, string message) => Invalid([(field, message)]);

    /// <summary>404 for an unknown id.</summary>
    public static IResult NotFound(string what) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: what);

    /// <summary>409 for a transition the state machine refuses.</summary>
    public static IResult Conflict(IllegalTransitionException ex) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Illegal transition", detail: ex.Message);

    /// <summary>Parses a route id; null when it is not a UUID.</summary>
    public static Guid? ParseId(string id) => Guid.TryParse(id, out var g) ? g : null;

    /// <summary>
    /// Reads the body as <typeparamref name="T"/>; on malformed JSON or a wrong type returns a 400
    /// naming the JSON path, on an empty body a 400 naming "body".
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "send application/json"));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: $"send at most {MaxBodyBytes:N0} bytes"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
            return value is null ? (null, Invalid("body", "a JSON object is required")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Invalid(field, field == "body" ? "the body is not valid JSON" : $"{field} has the wrong type or is malformed"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: ex.Message));
        }
    }

    /// <summary>
    /// Maps engine exceptions of a command to 400/404/409, and a cluster that cannot run it now (no
    /// silo with the role its grain needs, a silo that died under the call) to 503.
    /// </summary>
    public static async Task<IResult> RunAsync(Func<Task<IResult>> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return await command();
        }
        catch (CampaignValidationException ex)
        {
            return Invalid(ex.Errors);
        }
        catch (IllegalTransitionException ex)
        {
            return Conflict(ex);
        }
        catch (KeyNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
        catch (Exception ex) when (ex is Orleans.Runtime.OrleansException or Orleans.Runtime.SiloUnavailableException or TimeoutException)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The cluster cannot do this now",
                detail: "no silo that can run it answered (is a host with the worker role running?): " + ex.Message.Split('\n')[0]);
        }
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web) { AllowTrailingCommas = false, MaxDepth = 16 };
        o.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        return o;
    }
}
