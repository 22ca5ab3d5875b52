using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Campaigns;

public class PriorityGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    private static (PriorityGate Gate, FakeTimeProvider Time) Gate(int slots)
    {
        var time = new FakeTimeProvider(T0);
        var options = Options.Create(new ShardOptions { ConcurrentShards = slots, NormalHandicap = TimeSpan.FromSeconds(10), LowHandicap = TimeSpan.FromSeconds(30) });
        return (new PriorityGate(options, time), time);
    }

    [Fact]
    public async Task A_high_shard_overtakes_low_shards_that_arrived_at_the_same_time()
    {
        var (gate, _) = Gate(1);
        var holder = await gate.EnterAsync(JobPriority.Low, default);
        var order = new List<string>();
        var low = Admit(gate, JobPriority.Low, "low", order);
        var normal = Admit(gate, JobPriority.Normal, "normal", order);
        var high = Admit(gate, JobPriority.High, "high", order);
        await Eventually.TrueAsync(() => gate.Waiting == 3, TimeSpan.FromSeconds(5), "three waiters");

        holder.Dispose();
        await Task.WhenAll(low, normal, high);
        Assert.Equal(["high", "normal", "low"], order);
    }

    [Fact]
    public async Task A_low_shard_that_waited_longer_than_its_handicap_goes_before_a_fresh_high_one()
    {
        var (gate, time) = Gate(1);
        var holder = await gate.EnterAsync(JobPriority.High, default);
        var order = new List<string>();
        var low = Admit(gate, JobPriority.Low, "low", order);
        await Eventually.TrueAsync(() => gate.Waiting == 1, TimeSpan.FromSeconds(5), "the low waiter");
        time.Advance(TimeSpan.FromSeconds(31));
        var high = Admit(gate, JobPriority.High, "high", order);
        await Eventually.TrueAsync(() => gate.Waiting == 2, TimeSpan.FromSeconds(5), "the high waiter");

        holder.Dispose();
        await Task.WhenAll(low, high);
        Assert.Equal(["low", "high"], order);
    }

    [Fact]
    public async Task Slots_are_bounded_and_a_cancelled_waiter_does_not_keep_one()
    {
        var (gate, _) = Gate(2);
        var a = await gate.EnterAsync(JobPriority.Normal, default);
        var b = await gate.EnterAsync(JobPriority.Normal, default);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(JobPriority.High, cts.Token);
        var waiting = gate.EnterAsync(JobPriority.Low, default);
        Assert.False(cancelled.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        a.Dispose();
        using var c = await waiting;
        b.Dispose();
        using var d = await gate.EnterAsync(JobPriority.Low, default);
        Assert.Equal(0, gate.Waiting);
    }

    private static async Task Admit(PriorityGate gate, JobPriority priority, string name, List<string> order)
    {
        using var slot = await gate.EnterAsync(priority, default);
        lock (order)
        {
            order.Add(name);
        }
    }
}
