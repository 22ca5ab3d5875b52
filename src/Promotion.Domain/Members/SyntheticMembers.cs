using System.Globalization;

namespace Promotion.Domain.Members;

/// <summary>
/// Deterministic synthetic members for demos, seeding and tests: the same id and segment list
/// always give the same member, so a run can be reproduced and checked.
/// </summary>
public static class SyntheticMembers
{
    /// <summary>Segments used when the caller names none.</summary>
    public static IReadOnlyList<string> DefaultSegments { get; } = ["new-members", "gamers", "parents", "students", "vip"];

    /// <summary>
    /// The member with <paramref name="id"/>: one to three of <paramref name="segments"/>, every
    /// member has an email and an inbox, about 80 % have a phone and 60 % the app.
    /// </summary>
    public static Member Create(long id, IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var h = Mix(id);
        var chosen = new List<string>(3);
        if (segments.Count > 0)
        {
            var count = 1 + (int)(h % 3);
            for (var i = 0; i < count && chosen.Count < segments.Count; i++)
            {
                var s = segments[(int)((h >> (8 * (i + 1))) % (ulong)segments.Count)];
                if (!chosen.Contains(s, StringComparer.Ordinal))
                {
                    chosen.Add(s);
                }
            }
        }

        var idText = id.ToString(CultureInfo.InvariantCulture);
        var phone = (h >> 40) % 10 < 8 ? "+1555" + (id % 10_000_000).ToString("D7", CultureInfo.InvariantCulture) : null;
        var app = (h >> 48) % 10 < 6 ? "tok-" + idText : null;
        return new Member(id, chosen, "m" + idText + "@example.test", phone, app);
    }

    /// <summary><paramref name="count"/> members with consecutive ids from <paramref name="startId"/>.</summary>
    public static IEnumerable<Member> Range(long startId, long count, IReadOnlyList<string> segments)
    {
        for (var i = 0L; i < count; i++)
        {
            yield return Create(startId + i, segments);
        }
    }

    // SplitMix64 finaliser: cheap, well distributed, stable across runs and platforms.
    private static ulong Mix(long id)
    {
        var z = unchecked((ulong)id + 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
