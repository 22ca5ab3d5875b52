using Promotion.Domain.Delivery;
using Promotion.Domain.Members;

namespace Promotion.Domain.Tests;

public class ChannelNamesTests
{
    [Theory]
    [InlineData("app", Channel.App)]
    [InlineData("SMS", Channel.Sms)]
    [InlineData(" email ", Channel.Email)]
    [InlineData("inbox", Channel.Inbox)]
    public void Wire_names_parse_case_insensitively(string name, Channel expected)
    {
        Assert.True(ChannelNames.TryParse(name, out var channel));
        Assert.Equal(expected, channel);
        Assert.Equal(name.Trim().ToLowerInvariant(), channel.Value.ToWire());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fax")]
    public void Unknown_names_are_refused(string? name) => Assert.False(ChannelNames.TryParse(name, out _));

    [Fact]
    public void A_missing_contact_means_the_channel_cannot_reach_the_member()
    {
        var m = new Member(7, ["vip"], "m7@example.test", null, null);
        Assert.Null(m.ContactFor(Channel.Sms));
        Assert.Null(m.ContactFor(Channel.App));
        Assert.Equal("m7@example.test", m.ContactFor(Channel.Email));
        Assert.True(m.IsIn("vip"));
        Assert.False(m.IsIn("VIP"));
    }
}
