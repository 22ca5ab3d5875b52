using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Domain.Tests;

public class CampaignDraftTests
{
    private static CampaignDraft Valid => new("Festival", null, "Title", "Body", ["app", "sms"], null, null, null);

    [Fact]
    public void A_complete_draft_is_valid_with_defaults()
    {
        Assert.Empty(Valid.Validate());
        Assert.Equal(JobPriority.Normal, Valid.ParsedPriority());
        Assert.Equal([Channel.App, Channel.Sms], Valid.ParsedChannels());
    }

    [Fact]
    public void Every_problem_is_reported_with_its_field()
    {
        var draft = new CampaignDraft(" ", " ", null, new string('x', 5_000), ["app", "fax", "APP"], "urgent", 0, -1);
        var fields = draft.Validate().Select(e => e.Field).ToList();
        Assert.Equal(["name", "audience.segment", "message.title", "message.body", "channels[1]", "channels", "priority", "shardSize", "maxSendsPerSecond"], fields);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(100_000, true)]
    [InlineData(100_001, false)]
    public void Shard_size_has_bounds(int size, bool ok) =>
        Assert.Equal(ok, (Valid with { ShardSize = size }).Validate().Count == 0);

    [Fact]
    public void Idempotency_keys_depend_on_campaign_member_and_channel_only()
    {
        var c = Guid.Parse("0193c2f1-0000-7000-8000-000000000001");
        Assert.Equal("0193c2f1000070008000000000000001:42:sms", IdempotencyKey.For(c, 42, Channel.Sms));
        Assert.Equal(IdempotencyKey.For(c, 42, Channel.Sms), IdempotencyKey.For(c, 42, Channel.Sms));
        Assert.NotEqual(IdempotencyKey.For(c, 42, Channel.Sms), IdempotencyKey.For(c, 42, Channel.App));
    }

    [Theory]
    [InlineData(new[] { DeliveryOutcome.Sent, DeliveryOutcome.Skipped }, DeliveryOutcome.Sent)]
    [InlineData(new[] { DeliveryOutcome.Sent, DeliveryOutcome.Failed }, DeliveryOutcome.Failed)]
    [InlineData(new[] { DeliveryOutcome.Skipped, DeliveryOutcome.Skipped }, DeliveryOutcome.Skipped)]
    [InlineData(new DeliveryOutcome[0], DeliveryOutcome.Skipped)]
    public void A_member_counts_once_whatever_its_channels_did(DeliveryOutcome[] channels, DeliveryOutcome member) =>
        Assert.Equal(member, MemberOutcome.Combine(channels));
}
