using Promotion.Domain.Campaigns;

namespace Promotion.Domain.Tests;

public class CampaignStateMachineTests
{
    [Theory]
    [InlineData(CampaignStatus.Pending, CampaignTrigger.StartPlanning, CampaignStatus.Planning)]
    [InlineData(CampaignStatus.Planning, CampaignTrigger.StartPlanning, CampaignStatus.Planning)]
    [InlineData(CampaignStatus.Planning, CampaignTrigger.FinishPlanning, CampaignStatus.Running)]
    [InlineData(CampaignStatus.Planning, CampaignTrigger.Complete, CampaignStatus.Completed)]
    [InlineData(CampaignStatus.Running, CampaignTrigger.Pause, CampaignStatus.Paused)]
    [InlineData(CampaignStatus.Paused, CampaignTrigger.Resume, CampaignStatus.Running)]
    [InlineData(CampaignStatus.Paused, CampaignTrigger.Cancel, CampaignStatus.Cancelled)]
    [InlineData(CampaignStatus.Running, CampaignTrigger.Complete, CampaignStatus.Completed)]
    [InlineData(CampaignStatus.Running, CampaignTrigger.Fail, CampaignStatus.Failed)]
    [InlineData(CampaignStatus.Pending, CampaignTrigger.Cancel, CampaignStatus.Cancelled)]
    public void Legal_campaign_transitions(CampaignStatus from, CampaignTrigger trigger, CampaignStatus to)
    {
        Assert.True(CampaignStateMachine.Allows(from, trigger));
        Assert.Equal(to, CampaignStateMachine.Next(from, trigger));
        Assert.Contains(from, CampaignStateMachine.SourcesOf(trigger));
    }

    [Theory]
    [InlineData(CampaignStatus.Completed, CampaignTrigger.Resume, "cannot resume a campaign that is Completed")]
    [InlineData(CampaignStatus.Cancelled, CampaignTrigger.Pause, "cannot pause a campaign that is Cancelled")]
    [InlineData(CampaignStatus.Paused, CampaignTrigger.Pause, "cannot pause a campaign that is Paused")]
    [InlineData(CampaignStatus.Running, CampaignTrigger.Resume, "cannot resume a campaign that is Running")]
    [InlineData(CampaignStatus.Pending, CampaignTrigger.Pause, "cannot pause a campaign that is Pending")]
    [InlineData(CampaignStatus.Completed, CampaignTrigger.Cancel, "cannot cancel a campaign that is Completed")]
    public void Illegal_campaign_transitions_are_refused_with_a_clear_message(CampaignStatus from, CampaignTrigger trigger, string message)
    {
        Assert.False(CampaignStateMachine.Allows(from, trigger));
        var ex = Assert.Throws<IllegalTransitionException>(() => CampaignStateMachine.Next(from, trigger));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Terminal_statuses_have_no_way_out()
    {
        foreach (var status in new[] { CampaignStatus.Completed, CampaignStatus.Cancelled, CampaignStatus.Failed })
        {
            Assert.True(CampaignStateMachine.IsTerminal(status));
            Assert.All(Enum.GetValues<CampaignTrigger>(), t => Assert.False(CampaignStateMachine.Allows(status, t)));
        }
    }

    [Theory]
    [InlineData(ShardStatus.Pending, ShardTrigger.Start, ShardStatus.Running)]
    [InlineData(ShardStatus.Running, ShardTrigger.Start, ShardStatus.Running)]
    [InlineData(ShardStatus.Running, ShardTrigger.Release, ShardStatus.Pending)]
    [InlineData(ShardStatus.Running, ShardTrigger.Finish, ShardStatus.Done)]
    [InlineData(ShardStatus.Pending, ShardTrigger.Cancel, ShardStatus.Cancelled)]
    public void Legal_shard_transitions(ShardStatus from, ShardTrigger trigger, ShardStatus to) =>
        Assert.Equal(to, CampaignStateMachine.Next(from, trigger));

    [Theory]
    [InlineData(ShardStatus.Done, ShardTrigger.Start)]
    [InlineData(ShardStatus.Pending, ShardTrigger.Finish)]
    [InlineData(ShardStatus.Cancelled, ShardTrigger.Release)]
    public void Illegal_shard_transitions_are_refused(ShardStatus from, ShardTrigger trigger) =>
        Assert.Throws<IllegalTransitionException>(() => CampaignStateMachine.Next(from, trigger));
}
