using Promotion.Domain.Members;
using Promotion.Engine.Members;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every member directory must do; run against PostgreSQL and the in-memory one.</summary>
public abstract class MemberDirectoryContract
{
    protected static readonly string[] Segments = ["gamers", "parents", "vip"];

    protected abstract IMemberDirectory Directory { get; }

    [Fact]
    public async Task Imported_members_are_counted_overall_and_per_segment()
    {
        var members = SyntheticMembers.Range(1_000, 3_000, Segments).ToList();
        Assert.Equal(3_000, await Directory.ImportAsync(members, null, default));

        Assert.Equal(3_000, await Directory.CountAsync(null, default));
        Assert.Equal(members.Count(m => m.IsIn("vip")), await Directory.CountAsync("vip", default));
        Assert.Equal(0, await Directory.CountAsync("nobody-has-this", default));
        Assert.True(await Directory.SegmentExistsAsync("gamers", default));
        Assert.False(await Directory.SegmentExistsAsync("nobody-has-this", default));
        Assert.Equal(Segments, await Directory.ListSegmentsAsync(default));
    }

    [Fact]
    public async Task Keyset_pages_cover_a_range_once_in_id_order_with_the_segment_filter()
    {
        // Sparse ids, as snowflake ids are.
        var members = Enumerable.Range(0, 2_000).Select(i => SyntheticMembers.Create(1_000_000L + (i * 7_919L), Segments)).ToList();
        await Directory.ImportAsync(members, null, default);
        var lo = members[100].Id;
        var hi = members[1_900].Id;

        var read = new List<Member>();
        var cursor = lo - 1;
        while (true)
        {
            var page = await Directory.ReadPageAsync(cursor, hi, "parents", 128, default);
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count <= 128);
            read.AddRange(page);
            cursor = page[^1].Id;
        }

        var expected = members.Where(m => m.Id >= lo && m.Id < hi && m.IsIn("parents")).Select(m => m.Id).ToList();
        Assert.Equal(expected, read.Select(m => m.Id).ToList());
        var sample = read[17];
        var original = members.Single(m => m.Id == sample.Id);
        Assert.Equal(original.Email, sample.Email);
        Assert.Equal(original.Phone, sample.Phone);
        Assert.Equal(original.AppToken, sample.AppToken);
        Assert.Equal(original.Segments.Order(), sample.Segments.Order());
    }

    [Fact]
    public async Task A_batch_with_an_existing_id_loads_nothing()
    {
        await Directory.ImportAsync(SyntheticMembers.Range(1, 10, Segments), null, default);
        await Assert.ThrowsAnyAsync<Exception>(() => Directory.ImportAsync(SyntheticMembers.Range(5, 10, Segments), null, default));
        Assert.Equal(10, await Directory.CountAsync(null, default));
    }

    [Fact]
    public async Task Planning_an_empty_directory_plans_nothing()
    {
        foreach (var plan in new[] { await Directory.PlanAsync(null, 1_000, default), await Directory.PlanAsync("vip", 1_000, default) })
        {
            Assert.Equal(0, plan.AudienceSize);
            Assert.Empty(plan.Boundaries);
        }
    }

    [Fact]
    public async Task Planning_cuts_sparse_ids_into_shards_of_equal_member_counts()
    {
        // Strictly increasing ids with irregular gaps, some of them huge.
        var id = 10L;
        var members = Enumerable.Range(0, 2_500).Select(i => SyntheticMembers.Create(id += i % 7 == 0 ? 1_000_003 : 13, Segments)).ToList();
        await Directory.ImportAsync(members, null, default);

        var plan = await Directory.PlanAsync(null, 1_000, default);
        Assert.Equal(2_500, plan.AudienceSize);
        Assert.Equal([members[0].Id, members[1_000].Id, members[2_000].Id], plan.Boundaries);
        Assert.Equal(members.Max(m => m.Id), plan.MaxId);

        var vip = await Directory.PlanAsync("vip", 1_000, default);
        Assert.Equal(members.Count(m => m.IsIn("vip")), vip.AudienceSize);
        Assert.Equal(plan.Boundaries, vip.Boundaries);
        Assert.Equal(0, (await Directory.PlanAsync("nobody-has-this", 1_000, default)).AudienceSize);

        // The directory's size comes from the boundaries and the last shard's rows: check the edges.
        var exact = await Directory.PlanAsync(null, 500, default);
        Assert.Equal((2_500, 5), (exact.AudienceSize, exact.Boundaries.Count));
        Assert.Equal(members[2_000].Id, exact.Boundaries[^1]);
        var whole = await Directory.PlanAsync(null, 10_000, default);
        Assert.Equal((2_500L, members[0].Id), (whole.AudienceSize, Assert.Single(whole.Boundaries)));
        var single = await Directory.PlanAsync(null, 1, default);
        Assert.Equal((2_500, 2_500), (single.AudienceSize, single.Boundaries.Count));

        var some = await Directory.GetManyAsync([members[5].Id, members[3].Id, 999_999_999_999], default);
        Assert.Equal([members[3].Id, members[5].Id], some.Select(m => m.Id));
    }
}
