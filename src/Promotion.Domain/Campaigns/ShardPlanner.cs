namespace Promotion.Domain.Campaigns;

/// <summary>
/// Cuts an id space into shards sized by members, not by id width, so sparse (snowflake) ids
/// still give shards of about the same number of members.
/// </summary>
public static class ShardPlanner
{
    /// <summary>Smallest shard size accepted.</summary>
    public const int MinShardSize = 1;

    /// <summary>Largest shard size accepted.</summary>
    public const int MaxShardSize = 100_000;

    /// <summary>Shard size when a campaign names none.</summary>
    public const int DefaultShardSize = 1_000;

    /// <summary>
    /// Shards from <paramref name="boundaries"/>, the ids at positions 0, size, 2*size, ... of the
    /// sorted audience (what a windowed index scan returns), and <paramref name="maxId"/>, the
    /// largest id. Shard i covers [boundaries[i], boundaries[i+1]); the last ends after maxId.
    /// </summary>
    public static IReadOnlyList<ShardRange> FromBoundaries(IReadOnlyList<long> boundaries, long maxId)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        var shards = new ShardRange[boundaries.Count];
        for (var i = 0; i < boundaries.Count; i++)
        {
            var hi = i + 1 < boundaries.Count ? boundaries[i + 1] : maxId + 1;
            if (hi <= boundaries[i])
            {
                throw new ArgumentException($"boundaries must be strictly increasing and not above maxId (at {i})", nameof(boundaries));
            }

            shards[i] = new ShardRange(i, boundaries[i], hi);
        }

        return shards;
    }

    /// <summary>
    /// The boundaries for an in-memory, sorted list of ids: every <paramref name="shardSize"/>-th
    /// id starting with the first (what the PostgreSQL planner computes with a window function).
    /// </summary>
    public static IReadOnlyList<long> Boundaries(IReadOnlyList<long> sortedIds, int shardSize)
    {
        ArgumentNullException.ThrowIfNull(sortedIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, MinShardSize);
        var boundaries = new List<long>((sortedIds.Count / shardSize) + 1);
        for (var i = 0; i < sortedIds.Count; i += shardSize)
        {
            boundaries.Add(sortedIds[i]);
        }

        return boundaries;
    }
}
