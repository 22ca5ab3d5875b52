using Promotion.Domain.Campaigns;

namespace Promotion.Domain.Tests;

public class ShardPlannerTests
{
    [Fact]
    public void Boundaries_are_every_nth_id_starting_with_the_first()
    {
        long[] ids = [3, 5, 8, 13, 21, 34, 55];
        Assert.Equal([3L, 13, 55], ShardPlanner.Boundaries(ids, 3));
        Assert.Equal([3L], ShardPlanner.Boundaries(ids, 100));
        Assert.Empty(ShardPlanner.Boundaries([], 10));
    }

    [Fact]
    public void Shards_cover_the_id_space_without_gaps_or_overlap_and_hold_equal_member_counts()
    {
        // Snowflake-like ids: huge and irregular gaps.
        var random = new Random(7);
        var ids = new List<long>();
        var id = 1_600_000_000_000_000_000L;
        for (var i = 0; i < 10_500; i++)
        {
            id += random.Next(1, 4) == 1 ? random.NextInt64(1, 1_000_000_000) : random.Next(1, 50);
            ids.Add(id);
        }

        var shards = ShardPlanner.FromBoundaries(ShardPlanner.Boundaries(ids, 1_000), ids[^1]);

        Assert.Equal(11, shards.Count);
        Assert.Equal(ids[0], shards[0].Lo);
        Assert.Equal(ids[^1] + 1, shards[^1].Hi);
        for (var i = 1; i < shards.Count; i++)
        {
            Assert.Equal(shards[i - 1].Hi, shards[i].Lo);
            Assert.Equal(i, shards[i].ShardNo);
        }

        var counts = shards.Select(s => ids.Count(x => x >= s.Lo && x < s.Hi)).ToList();
        Assert.All(counts.Take(10), c => Assert.Equal(1_000, c));
        Assert.Equal(500, counts[^1]);
    }

    [Fact]
    public void No_boundaries_means_no_shards() => Assert.Empty(ShardPlanner.FromBoundaries([], 0));

    [Fact]
    public void Boundaries_out_of_order_are_refused() =>
        Assert.Throws<ArgumentException>(() => ShardPlanner.FromBoundaries([10, 5], 20));
}
