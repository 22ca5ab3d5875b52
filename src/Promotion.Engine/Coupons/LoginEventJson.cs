using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Promotion.Engine.Coupons;

/// <summary>
/// The fields of one login event as JSON, read the same way by <c>POST /api/events/login</c> and by
/// the login-event stream's message codec: <c>{"memberId": 1042, "at": "2026-05-01T12:00:00Z"}</c>.
/// </summary>
public static partial class LoginEventJson
{
    /// <summary>
    /// A positive member id, as a JSON number or a string of digits (snowflake-sized ids lose
    /// precision as JSON numbers in JavaScript, so producers may send strings); otherwise null.
    /// </summary>
    public static long? MemberId(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        var parsed = value.GetValueKind() switch
        {
            JsonValueKind.Number when value.TryGetValue<long>(out var n) => n,
            JsonValueKind.String when long.TryParse(value.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => (long?)null,
        };
        return parsed > 0 ? parsed : null;
    }

    /// <summary>
    /// An ISO 8601 time with an explicit offset; otherwise null. The offset is required: a bare local
    /// time would be read in the server's zone and could move a login across a campaign's window.
    /// </summary>
    public static DateTimeOffset? At(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { } text
        && ExplicitOffset().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?([zZ]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex ExplicitOffset();
}
