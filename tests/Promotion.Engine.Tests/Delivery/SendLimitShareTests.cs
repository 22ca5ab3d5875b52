using System.Threading.RateLimiting;
using Promotion.Engine.Delivery;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Delivery;

public sealed class SendLimitShareTests
{
    [Fact]
    public async Task Sends_queued_when_the_limit_is_re_split_wait_on_the_new_bucket_instead_of_draining_the_old_one()
    {
        // One send a second, one token to start with: the first send goes, four wait.
        using var share = new SendLimitShare(limit: 1, workers: 1);
        var sends = Enumerable.Range(0, 5).Select(_ => share.AcquireAsync(1).AsTask()).ToList();
        await Eventually.TrueAsync(() => share.GetStatistics()!.CurrentQueuedCount == 4, TimeSpan.FromSeconds(5), "four sends to queue");
        Assert.Equal(1, sends.Count(s => s.IsCompletedSuccessfully && s.Result.IsAcquired));

        // A second host joins: the new bucket (half a send a second, starting with its one token)
        // takes over the four; one goes at once, three queue there. None failed.
        share.Resplit(2);

        Assert.Equal(2, share.Workers);
        await Eventually.TrueAsync(() => share.GetStatistics()!.CurrentQueuedCount == 3, TimeSpan.FromSeconds(5), "three sends to queue on the new bucket");
        await Eventually.TrueAsync(() => sends.Count(s => s.IsCompletedSuccessfully && s.Result.IsAcquired) == 2, TimeSpan.FromSeconds(5), "the new bucket's first token");
        Assert.DoesNotContain(sends, s => s.IsCompleted && !s.Result.IsAcquired);
    }

    [Fact]
    public async Task The_same_split_keeps_the_bucket_and_a_disposed_share_fails_what_still_waits()
    {
        var share = new SendLimitShare(limit: 1, workers: 3);
        using (await share.AcquireAsync(1))
        {
        }

        var waiting = share.AcquireAsync(1).AsTask();
        await Eventually.TrueAsync(() => share.GetStatistics()!.CurrentQueuedCount == 1, TimeSpan.FromSeconds(5), "a send to queue");
        share.Resplit(3);
        Assert.Equal(1, share.GetStatistics()!.CurrentQueuedCount);

        share.Dispose();
        Assert.False((await waiting).IsAcquired);
    }

    [Fact]
    public void Attempts_without_waiting_use_the_current_bucket()
    {
        using var share = new SendLimitShare(limit: 1, workers: 1);
        Assert.True(share.AttemptAcquire(1).IsAcquired);
        Assert.False(share.AttemptAcquire(1).IsAcquired);
        share.Resplit(2); // a new bucket starts with its token
        Assert.True(share.AttemptAcquire(1).IsAcquired);
    }
}
