namespace Promotion.Infrastructure.Senders;

/// <summary>
/// A stable hash of an idempotency key mapped to [0, 1), the same in every process and run
/// (string.GetHashCode is randomized per process), so simulated failures are reproducible.
/// </summary>
internal static class KeyHash
{
    /// <summary>A value in [0, 1) for <paramref name="key"/>; different <paramref name="salt"/>s give independent values.</summary>
    public static double Fraction(string key, ulong salt)
    {
        // FNV-1a over the UTF-16 code units, then a SplitMix64 finalizer so the high bits are well mixed.
        var hash = 14695981039346656037UL ^ salt;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Whether <paramref name="key"/> falls within <paramref name="rate"/> for <paramref name="salt"/>.</summary>
    public static bool Hits(string key, ulong salt, double rate) => rate > 0 && Fraction(key, salt) < rate;
}
