using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.HotGoods;
using Promotion.Engine.Delivery;
using Promotion.Engine.Jobs;
using Promotion.Engine.Tests.Campaigns;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Engine.Tests.HotGoods;

public class HotGoodsJobTests
{
    private static readonly DateTimeOffset T0 = HotGoodsFixture.T0;

    private static readonly Member Reachable = new(7, ["gamers"], "m7@example.test", null, "tok-7");

    private static (HotGoodsJob Job, InMemoryFrequencyCap Cap) Job(TimeSpan? period = null)
    {
        var cap = new InMemoryFrequencyCap();
        return (new HotGoodsJob(new InMemoryMemberDirectory(), cap, Options.Create(new HotGoodsOptions { CapPeriod = period ?? TimeSpan.FromDays(7) })), cap);
    }

    private static Campaign Campaign(Guid id) => new(id, "hot", CampaignKind.HotGoods, CampaignStatus.Running, JobPriority.Normal, "gamers",
        new CampaignMessage("t", "b"), [Channel.App], 1000, null, null, id, 0, 0, 0, 0, ShardCounts.None, T0, T0, null, 0);

    [Fact]
    public async Task A_member_pushed_by_one_campaign_is_skipped_by_another_within_the_period_with_the_reason()
    {
        var (job, _) = Job();
        var first = Campaign(Guid.NewGuid());
        var second = Campaign(Guid.NewGuid());
        var recipient = new Recipient(Reachable, [Channel.App]);

        Assert.Null(await job.ScreenAsync(first, recipient, T0, default));
        Assert.Equal("frequency cap", await job.ScreenAsync(second, recipient, T0.AddDays(6), default));
    }

    [Fact]
    public async Task The_same_campaign_may_take_the_cap_again_so_a_resumed_shard_re_sends()
    {
        var (job, _) = Job();
        var campaign = Campaign(Guid.NewGuid());
        var recipient = new Recipient(Reachable, [Channel.App]);
        Assert.Null(await job.ScreenAsync(campaign, recipient, T0, default));
        Assert.Null(await job.ScreenAsync(campaign, recipient, T0.AddMinutes(5), default));
    }

    [Fact]
    public async Task After_the_period_another_campaign_may_push_again()
    {
        var (job, _) = Job(TimeSpan.FromDays(7));
        var recipient = new Recipient(Reachable, [Channel.App]);
        Assert.Null(await job.ScreenAsync(Campaign(Guid.NewGuid()), recipient, T0, default));
        Assert.Null(await job.ScreenAsync(Campaign(Guid.NewGuid()), recipient, T0.AddDays(7).AddSeconds(1), default));
    }

    [Fact]
    public async Task A_member_no_channel_reaches_spends_no_cap()
    {
        var (job, cap) = Job();
        var noApp = new Member(8, ["gamers"], "m8@example.test", null, null);
        Assert.Null(await job.ScreenAsync(Campaign(Guid.NewGuid()), new Recipient(noApp, [Channel.App]), T0, default));
        // The cap is still free for a campaign that can reach the member.
        Assert.True(await cap.TryTakeAsync(8, Guid.NewGuid(), TimeSpan.FromDays(7), T0, default));
    }

    [Fact]
    public async Task A_push_that_reached_members_on_no_channel_gives_their_caps_back_to_the_next_one()
    {
        await using var engine = await EngineCluster.StartAsync(200);
        var draft = new CampaignDraft("hot", "gamers", "t", "b", ["inbox"], null, 1_000, null);
        engine.Sender.Answer = SendResult.Permanent("mailbox gone");
        var failed = await engine.RunAsync(draft, CampaignKind.HotGoods);
        engine.Sender.Answer = SendResult.Sent;
        var reached = await engine.RunAsync(draft, CampaignKind.HotGoods);
        var third = await engine.RunAsync(draft, CampaignKind.HotGoods);

        Assert.Equal(200, failed.Failed);
        Assert.Equal((200L, 0L), (reached.Sent, reached.Skipped));
        // A push that did arrive keeps the cap.
        Assert.Equal(200, third.Skipped);
    }

    [Fact]
    public async Task Concurrent_campaigns_racing_for_one_member_let_exactly_one_through()
    {
        var cap = new InMemoryFrequencyCap();
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await cap.TryTakeAsync(1, Guid.NewGuid(), TimeSpan.FromDays(1), T0, default))));
        Assert.Equal(1, results.Count(r => r));
    }
}
