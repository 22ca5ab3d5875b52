using Microsoft.Extensions.Time.Testing;
using Promotion.Engine.Delivery;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Delivery;

/// <summary>The bucket every silo leases a campaign's send tokens from.</summary>
public sealed class SendTokenBucketTests
{
    [Theory]
    [InlineData(2000)]
    [InlineData(400)]
    [InlineData(15)]
    [InlineData(1)]
    public void Over_any_second_it_grants_the_rate_plus_at_most_a_twentieth(int perSecond)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var bucket = new SendTokenBucket(time);
        var granted = new List<(TimeSpan At, int Tokens)>();
        var elapsed = TimeSpan.Zero;
        // Three silos asking greedily every millisecond for ten seconds.
        for (var ms = 0; ms < 10_000; ms++)
        {
            for (var silo = 0; silo < 3; silo++)
            {
                var tokens = bucket.Take(perSecond, wanted: 500);
                if (tokens.Granted > 0)
                {
                    granted.Add((elapsed, tokens.Granted));
                }
                else
                {
                    Assert.True(tokens.RetryAfter > TimeSpan.Zero);
                }
            }

            time.Advance(TimeSpan.FromMilliseconds(1));
            elapsed += TimeSpan.FromMilliseconds(1);
        }

        var bound = perSecond + SendTokenBucket.Capacity(perSecond);
        for (var start = 0; start <= 9_000; start += 100)
        {
            var window = granted.Where(g => g.At >= TimeSpan.FromMilliseconds(start) && g.At < TimeSpan.FromMilliseconds(start + 1_000)).Sum(g => g.Tokens);
            Assert.InRange(window, 0, bound);
        }

        // Nothing idle: the whole rate is handed out.
        Assert.InRange(granted.Sum(g => g.Tokens), (perSecond * 10) - 1, (perSecond * 10) + SendTokenBucket.Capacity(perSecond));
    }

    [Fact]
    public void An_empty_bucket_says_when_a_slice_is_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var bucket = new SendTokenBucket(time);
        Assert.Equal(100, bucket.Take(2000, 500).Granted); // a twentieth of 2,000/s
        var empty = bucket.Take(2000, 500);
        Assert.Equal(0, empty.Granted);
        Assert.InRange(empty.RetryAfter.TotalMilliseconds, 49.9, 50.1);
        time.Advance(empty.RetryAfter);
        Assert.Equal(100, bucket.Take(2000, 500).Granted);
    }
}
