using Microsoft.Extensions.Time.Testing;
using Promotion.Engine.Delivery;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Delivery;

/// <summary>A silo's side of a campaign's send limit while the limiter grain cannot be reached.</summary>
public sealed class LeasedSendLimitTests
{
    [Fact]
    public async Task While_the_limiter_grain_is_away_a_send_waits_and_gets_its_token_once_it_answers()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var grain = new AwayLimitGrain();
        using var limit = new LeasedSendLimit(grain, 100, time, unreachable: () => false);

        var waiting = limit.AcquireAsync(1).AsTask();
        await Eventually.TrueAsync(() => grain.Calls >= 1, TimeSpan.FromSeconds(10), "a lease attempt");
        Assert.False(waiting.IsCompleted);

        grain.Away = false;
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(200));
            return waiting.IsCompleted;
        }, TimeSpan.FromSeconds(10), "the token once the grain answers");
        Assert.True((await waiting).IsAcquired);
    }

    [Fact]
    public async Task When_no_worker_silo_is_left_to_run_the_limiter_grain_a_waiting_send_is_cancelled()
    {
        var grain = new AwayLimitGrain();
        using var limit = new LeasedSendLimit(grain, 100, new FakeTimeProvider(), unreachable: () => true);

        var waiting = limit.AcquireAsync(1).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, grain.Calls);
    }

    private sealed class AwayLimitGrain : ISendLimitGrain
    {
        private int _calls;

        public volatile bool Away = true;

        public int Calls => Volatile.Read(ref _calls);

        public Task<SendTokens> LeaseAsync(int perSecond, int wanted)
        {
            Interlocked.Increment(ref _calls);
            return Away
                ? Task.FromException<SendTokens>(new InvalidOperationException("no active silo is compatible with the grain"))
                : Task.FromResult(new SendTokens(wanted, TimeSpan.Zero));
        }
    }
}
