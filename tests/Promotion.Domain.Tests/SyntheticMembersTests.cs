using Promotion.Domain.Delivery;
using Promotion.Domain.Members;

namespace Promotion.Domain.Tests;

public class SyntheticMembersTests
{
    private static readonly string[] Segments = ["a", "b", "c", "d"];

    [Fact]
    public void Same_id_and_segments_give_the_same_member()
    {
        var first = SyntheticMembers.Create(42, Segments);
        var again = SyntheticMembers.Create(42, Segments);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Segments, again.Segments);
        Assert.Equal(first.Phone, again.Phone);
        Assert.Equal(first.AppToken, again.AppToken);
    }

    [Fact]
    public void Members_draw_one_to_three_distinct_segments_from_the_list()
    {
        foreach (var m in SyntheticMembers.Range(1, 5_000, Segments))
        {
            Assert.InRange(m.Segments.Count, 1, 3);
            Assert.All(m.Segments, s => Assert.Contains(s, Segments));
            Assert.Equal(m.Segments.Count, m.Segments.Distinct().Count());
        }
    }

    [Fact]
    public void Contacts_are_spread_so_some_channels_cannot_reach_some_members()
    {
        var members = SyntheticMembers.Range(1, 10_000, Segments).ToList();
        Assert.All(members, m => Assert.NotNull(m.Email));
        var withPhone = members.Count(m => m.Phone is not null);
        var withApp = members.Count(m => m.AppToken is not null);
        Assert.InRange(withPhone, 7_500, 8_500);
        Assert.InRange(withApp, 5_500, 6_500);
        Assert.All(members.Take(10), m => Assert.Equal(m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ContactFor(Channel.Inbox)));
    }

    [Fact]
    public void Range_gives_consecutive_ids()
    {
        var ids = SyntheticMembers.Range(100, 5, Segments).Select(m => m.Id);
        Assert.Equal([100L, 101, 102, 103, 104], ids);
    }
}
