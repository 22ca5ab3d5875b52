using Microsoft.Extensions.DependencyInjection;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Engine.Tests.Campaigns;

/// <summary>
/// A page sent but not checkpointed is sent again by whoever resumes the shard; a checkpoint that
/// fails for a moment (the database restarting) is retried instead, so nobody is sent twice.
/// </summary>
public sealed class CheckpointRetryTests
{
    private const int Members = 1_000;
    private const int PageSize = 100;

    [Fact]
    public async Task Checkpoints_failing_for_a_moment_are_retried_and_no_member_is_sent_twice()
    {
        var store = new FailingCheckpoints(failures: 3);
        await using var engine = await StartAsync(store, retryFor: "00:00:30");

        var campaign = await engine.RunAsync(OneShard);

        Assert.Equal(3, store.Failed);
        Assert.Equal((CampaignStatus.Completed, (long)Members), (campaign.Status, campaign.Sent));
        Assert.Equal(Members, engine.Sends.Count);
        Assert.Equal(Members, engine.Sends.Select(m => m.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task A_checkpoint_failing_past_the_retry_window_starts_the_shard_over_from_its_last_checkpoint()
    {
        // The database is away for 1.5 s from the first checkpoint: longer than the one-second retry window.
        var store = new FailingCheckpoints(failures: int.MaxValue, outage: TimeSpan.FromSeconds(1.5));
        await using var engine = await StartAsync(store, retryFor: "00:00:01");

        var campaign = await engine.RunAsync(OneShard);

        Assert.Equal((CampaignStatus.Completed, (long)Members), (campaign.Status, campaign.Sent));
        Assert.Equal(Members, engine.Sends.Select(m => m.IdempotencyKey).Distinct().Count());
        // The page whose checkpoint never landed was sent again, with the same keys (a second restart
        // at most, should the first one still meet the outage); nothing else was.
        Assert.InRange(engine.Sends.Count, Members + PageSize, Members + (2 * PageSize));
        var shard = Assert.Single(await engine.Get<IShardStore>().ListAsync(campaign.Id, 0, 10, default));
        Assert.True(shard.Attempts >= 2, $"{shard.Attempts} starts");
    }

    // One shard on the inbox, which every member has.
    private static CampaignDraft OneShard => new("sale", null, "Sale", "20% off", ["inbox"], null, Members, null);

    private static Task<EngineCluster> StartAsync(FailingCheckpoints store, string retryFor) =>
        EngineCluster.StartAsync(Members, new() { ["Shards:PageSize"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Shards:CheckpointRetryFor"] = retryFor }, replace: services =>
            services.AddSingleton<IShardStore>(sp => store.Over(sp.GetRequiredService<InMemoryCampaignStore>())));

    /// <summary>
    /// The in-memory shard store whose first <c>failures</c> checkpoints throw, as a database that is
    /// restarting does; with an <c>outage</c>, every checkpoint for that long after the first one throws.
    /// </summary>
    private sealed class FailingCheckpoints(int failures, TimeSpan? outage = null) : IShardStore
    {
        private readonly System.Diagnostics.Stopwatch _sinceFirst = new();
        private IShardStore _inner = null!;
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public FailingCheckpoints Over(IShardStore inner)
        {
            _inner = inner;
            return this;
        }

        public Task<bool> CheckpointAsync(ShardCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            lock (_sinceFirst)
            {
                _sinceFirst.Start();
            }

            if (outage is { } away ? _sinceFirst.Elapsed < away : Interlocked.Increment(ref _failed) <= failures)
            {
                throw new InvalidOperationException("the database is restarting");
            }

            if (outage is null)
            {
                Interlocked.Decrement(ref _failed);
            }

            return _inner.CheckpointAsync(checkpoint, cancellationToken);
        }

        public Task<ShardWork?> StartAsync(ShardRef shard, string silo, CancellationToken cancellationToken) => _inner.StartAsync(shard, silo, cancellationToken);

        public Task ReleaseAsync(ShardRef shard, long epoch, CancellationToken cancellationToken) => _inner.ReleaseAsync(shard, epoch, cancellationToken);

        public Task<bool> EndAsync(ShardRef shard, long epoch, ShardTrigger trigger, CancellationToken cancellationToken) =>
            _inner.EndAsync(shard, epoch, trigger, cancellationToken);

        public Task<IReadOnlyList<int>> TakeUnstartedAsync(Guid campaignId, int limit, DateTimeOffset now, CancellationToken cancellationToken) =>
            _inner.TakeUnstartedAsync(campaignId, limit, now, cancellationToken);

        public Task<IReadOnlyList<int>> ListStartedAsync(Guid campaignId, CancellationToken cancellationToken) => _inner.ListStartedAsync(campaignId, cancellationToken);

        public Task<int> CancelPendingAsync(Guid campaignId, CancellationToken cancellationToken) => _inner.CancelPendingAsync(campaignId, cancellationToken);

        public Task<CampaignStatus> AggregateAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken) =>
            _inner.AggregateAsync(campaignId, now, cancellationToken);

        public Task<IReadOnlyList<ShardInfo>> ListAsync(Guid campaignId, int fromShardNo, int limit, CancellationToken cancellationToken) =>
            _inner.ListAsync(campaignId, fromShardNo, limit, cancellationToken);
    }
}
