using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;

namespace Promotion.Domain.Tests.HotGoods;

public class HotGoodsScheduleDraftTests
{
    private static HotGoodsScheduleDraft Valid => new("gamers", "0 0 10 ? * MON", 10, null, null);

    [Fact]
    public void A_valid_draft_has_no_errors_and_defaults_to_utc_and_app()
    {
        Assert.Empty(Valid.Validate());
        Assert.Equal("UTC", Valid.ParsedTimeZone());
        Assert.Equal([Channel.App], Valid.ParsedChannels());
    }

    [Fact]
    public void Each_bad_field_is_named()
    {
        var errors = new HotGoodsScheduleDraft(" ", "bad", 0, "Mars/Base", ["app", "fax", "APP"]).Validate();
        Assert.Equal(["segment", "cron", "topK", "timeZone", "channels[1]", "channels"], errors.Select(e => e.Field));
        Assert.Contains("six are needed", errors.Single(e => e.Field == "cron").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_follow_ups_problems_are_named_under_followUp()
    {
        var followUp = new CampaignDraft("", null, "Thanks", "b", ["app"], "urgent", null, null);
        var errors = (Valid with { FollowUp = followUp }).Validate();
        Assert.Equal(["followUp.name", "followUp.priority"], errors.Select(e => e.Field));
        Assert.Empty((Valid with { FollowUp = followUp with { Name = "Thanks", Priority = "high" } }).Validate());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(51)]
    [InlineData(-1)]
    public void TopK_is_required_and_between_1_and_50(int? topK) =>
        Assert.Equal("topK", Assert.Single((Valid with { TopK = topK }).Validate()).Field);

    [Fact]
    public void Missing_cron_and_empty_channels_are_refused()
    {
        var errors = (Valid with { Cron = null, Channels = [] }).Validate();
        Assert.Equal(["cron", "channels"], errors.Select(e => e.Field));
    }

    [Fact]
    public void An_iana_time_zone_is_accepted()
    {
        var draft = Valid with { TimeZone = " Europe/Berlin ", Channels = ["inbox", "sms"] };
        Assert.Empty(draft.Validate());
        Assert.Equal("Europe/Berlin", draft.ParsedTimeZone());
        Assert.Equal([Channel.Inbox, Channel.Sms], draft.ParsedChannels());
    }

    [Fact]
    public void Segment_categories_are_validated_and_normalized()
    {
        Assert.Equal("categories", Assert.Single(SegmentCategories.Validate(null)).Field);
        Assert.Equal(["categories[1]"], SegmentCategories.Validate(["toys", " ", "books"]).Select(e => e.Field));
        Assert.Empty(SegmentCategories.Validate([]));
        Assert.Equal(["books", "toys"], SegmentCategories.Normalize([" toys", "books", "toys "]));
    }
}
