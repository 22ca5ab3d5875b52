using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// The body of a login-event message on the broker: the JSON array <c>POST /api/events/login</c>
/// takes, <c>[{"memberId": 1042, "at": "2026-05-01T12:00:00Z"}]</c> (memberId a positive integer
/// or a string of digits, at an ISO 8601 time with an offset), at most 1,000 events. The older
/// envelope <c>{"events": [...]}</c> is read too.
/// </summary>
public static class LoginEventCodec
{
    private const int MaxReasons = 20;

    /// <summary>The body of <paramref name="events"/>.</summary>
    public static byte[] Encode(IEnumerable<LoginEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var buffer = new MemoryStream();
        // Relaxed escaping: offsets stay "+02:00" rather than "\u002B02:00" for people reading the queue.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteNumber("memberId", e.MemberId);
                json.WriteString("at", e.At.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a body: the well-formed events, and a reason naming the malformed ones (or the whole
    /// body when it is not such JSON), null when there are none.
    /// </summary>
    public static LoginEventBody Decode(ReadOnlyMemory<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span);
        }
        catch (JsonException ex)
        {
            return new LoginEventBody([], "the body is not JSON: " + ex.Message);
        }

        var items = root switch
        {
            JsonArray array => array,
            JsonObject obj when obj["events"] is JsonArray array => array,
            _ => null,
        };
        if (items is null)
        {
            return new LoginEventBody([], "the body must be a JSON array of login events [{\"memberId\": 1, \"at\": \"2026-05-01T12:00:00Z\"}]");
        }

        if (items.Count > LoginEventRules.MaxBatch)
        {
            return new LoginEventBody([], $"a batch holds at most {LoginEventRules.MaxBatch:N0} login events; this one has {items.Count:N0}");
        }

        var events = new List<LoginEvent>(items.Count);
        var problems = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
            {
                problems.Add($"[{i}] must be an object {{\"memberId\": ..., \"at\": ...}}");
                continue;
            }

            var memberId = MemberId(item["memberId"]);
            var at = At(item["at"]);
            if (memberId is null)
            {
                problems.Add($"[{i}].memberId must be a positive integer");
            }

            if (at is null)
            {
                problems.Add($"[{i}].at must be an ISO 8601 time with an offset");
            }

            if (memberId is { } id && at is { } when)
            {
                events.Add(new LoginEvent(id, when));
            }
        }

        var reason = problems.Count == 0
            ? null
            : $"{problems.Count} malformed login event field(s): {string.Join("; ", problems.Take(MaxReasons))}{(problems.Count > MaxReasons ? "; ..." : string.Empty)}";
        return new LoginEventBody(events, reason);
    }

    // The shared field rules, plus the login-event rules (a time in range) the endpoint applies on accept.
    private static long? MemberId(JsonNode? node) => LoginEventJson.MemberId(node);

    private static DateTimeOffset? At(JsonNode? node) =>
        LoginEventJson.At(node) is { } at && LoginEventRules.Problem(1, at) is null ? at : null;
}

/// <summary>What a message body held.</summary>
/// <param name="Events">The well-formed events.</param>
/// <param name="Problem">Why the rest (or the whole body) is malformed; null when nothing is.</param>
public sealed record LoginEventBody(IReadOnlyList<LoginEvent> Events, string? Problem);
