namespace Promotion.Domain.HotGoods;

/// <summary>Rules for the categories a segment cares about (the goods its hot-goods pushes are drawn from).</summary>
public static class SegmentCategories
{
    /// <summary>Most categories one segment may name.</summary>
    public const int MaxCategories = 100;

    /// <summary>Longest category name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>
    /// The problems with <paramref name="categories"/> as (field, message) pairs; empty when valid.
    /// An empty list is valid: it clears the mapping. Whether each category exists in the catalog is
    /// checked by the caller.
    /// </summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(IReadOnlyList<string?>? categories)
    {
        var errors = new List<(string, string)>();
        if (categories is null)
        {
            errors.Add(("categories", "categories is required (an empty list clears the mapping)"));
            return errors;
        }

        if (categories.Count > MaxCategories)
        {
            errors.Add(("categories", $"at most {MaxCategories} categories"));
        }

        for (var i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            if (string.IsNullOrWhiteSpace(c))
            {
                errors.Add(($"categories[{i}]", "a category name must not be blank"));
            }
            else if (c.Trim().Length > MaxNameLength)
            {
                errors.Add(($"categories[{i}]", $"a category name has at most {MaxNameLength} characters"));
            }
        }

        return errors;
    }

    /// <summary>The names trimmed, without repeats, in order; call only on a valid list.</summary>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string?> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        return [.. categories.Select(c => c!.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
