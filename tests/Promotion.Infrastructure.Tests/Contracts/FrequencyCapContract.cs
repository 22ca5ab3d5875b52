using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every frequency cap must do; run against Redis and the in-memory one.</summary>
public abstract class FrequencyCapContract
{
    protected static readonly TimeSpan Week = TimeSpan.FromDays(7);

    protected abstract IFrequencyCap Cap { get; }

    protected static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task The_first_campaign_takes_a_members_cap_and_may_take_it_again_while_others_are_refused()
    {
        var first = Guid.NewGuid();
        Assert.True(await Cap.TryTakeAsync(1, first, Week, Now, default));
        Assert.True(await Cap.TryTakeAsync(1, first, Week, Now, default));
        Assert.False(await Cap.TryTakeAsync(1, Guid.NewGuid(), Week, Now, default));
        // Each member has a cap of its own.
        Assert.True(await Cap.TryTakeAsync(2, Guid.NewGuid(), Week, Now, default));
    }

    [Fact]
    public async Task Only_the_holder_gives_a_cap_back_and_then_any_campaign_may_take_it()
    {
        var (holder, other, next) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        Assert.True(await Cap.TryTakeAsync(3, holder, Week, Now, default));

        await Cap.ReleaseAsync(3, other, default);
        Assert.False(await Cap.TryTakeAsync(3, next, Week, Now, default));

        await Cap.ReleaseAsync(3, holder, default);
        Assert.True(await Cap.TryTakeAsync(3, next, Week, Now, default));
        await Cap.ReleaseAsync(4, holder, default); // a free cap: nothing to give back
        Assert.True(await Cap.TryTakeAsync(4, next, Week, Now, default));
    }

    [Fact]
    public async Task Campaigns_racing_for_the_same_members_let_exactly_one_through_per_member()
    {
        var campaigns = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToList();
        var attempts = campaigns.SelectMany(c => Enumerable.Range(100, 50).Select(m => (Campaign: c, Member: (long)m))).ToList();
        var results = await Task.WhenAll(attempts.Select(a => Task.Run(async () => (a.Member, Won: await Cap.TryTakeAsync(a.Member, a.Campaign, Week, Now, default)))));
        Assert.All(results.GroupBy(r => r.Member), g => Assert.Equal(1, g.Count(r => r.Won)));
    }
}
