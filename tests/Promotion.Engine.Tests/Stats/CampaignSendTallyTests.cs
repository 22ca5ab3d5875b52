using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Tests.Stats;

public sealed class CampaignSendTallyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_calls_per_campaign_and_forgets_a_campaign_idle_for_longer_than_the_limit()
    {
        var tally = new CampaignSendTally();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        tally.Increment(a);
        tally.Increment(a);
        tally.Increment(b);
        Assert.Equal(new Dictionary<Guid, long> { [a] = 2, [b] = 1 }, tally.Snapshot(T0));

        tally.Increment(a);
        var later = T0 + CampaignSendTally.ForgetAfter + TimeSpan.FromSeconds(1);
        Assert.Equal(new Dictionary<Guid, long> { [a] = 3 }, tally.Snapshot(later));

        // Counting again after being forgotten starts from zero; readers take a vanished campaign as zero.
        tally.Increment(b);
        Assert.Equal(1, tally.Snapshot(later)[b]);
    }
}
