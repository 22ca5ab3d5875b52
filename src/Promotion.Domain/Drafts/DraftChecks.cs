namespace Promotion.Domain.Drafts;

/// <summary>The field checks every operator draft shares, each adding (field path, message) pairs as the API shows them.</summary>
internal static class DraftChecks
{
    /// <summary>A required text field: present, not blank, at most <paramref name="maxLength"/> characters.</summary>
    public static void RequiredText(List<(string, string)> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add((field, $"{field} is required"));
        }
        else if (value.Length > maxLength)
        {
            errors.Add((field, $"{field} must be at most {maxLength} characters"));
        }
    }

    /// <summary>An audience segment: omitted means every member, so a blank one is a mistake, not "everyone".</summary>
    public static void OptionalSegment(List<(string, string)> errors, string? segment)
    {
        if (segment is not null && string.IsNullOrWhiteSpace(segment))
        {
            errors.Add(("audience.segment", "segment must not be blank; omit it to target every member"));
        }
    }
}
