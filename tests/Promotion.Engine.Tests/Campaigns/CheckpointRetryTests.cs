using Microsoft.Extensions.DependencyInjection;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Messaging;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Engine.Tests.Campaigns;

/// <summary>
/// A page sent but not checkpointed is sent again by whoever resumes the shard; a checkpoint that
/// fails for a moment (the database restarting) is retried instead, so nobody is sent twice.
/// </summary>
public sealed class CheckpointRetryTests
{
    private const int Members = 1_000;

    [Fact]
    public async Task Checkpoints_failing_for_a_moment_are_retried_and_no_member_is_sent_twice()
    {
        FailingCheckpoints? shards = null;
        await using var rig = await StartAsync(failures: 3, retryFor: "00:00:30", s => shards = s);

        var id = await rig.RunAsync(OneShard);

        var campaign = (await rig.Get<ICampaignStore>().GetAsync(id, default))!;
        Assert.Equal(3, shards!.Failed);
        Assert.Equal((CampaignStatus.Completed, (long)Members), (campaign.Status, campaign.Sent));
        Assert.Equal(Members, rig.Sends.Count);
        Assert.Equal(Members, rig.Sends.Select(m => m.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task A_checkpoint_failing_past_the_retry_window_gives_the_shard_back_at_its_last_checkpoint()
    {
        FailingCheckpoints? shards = null;
        await using var rig = await StartAsync(failures: int.MaxValue, retryFor: "00:00:01", s => shards = s);

        await Assert.ThrowsAnyAsync<Exception>(() => rig.RunAsync(OneShard));

        var id = rig.Dispatcher.Sent.OfType<PlanCampaign>().Single().CampaignId;
        var shard = Assert.Single(await rig.Get<IShardStore>().ListAsync(id, 0, 10, default));
        Assert.Equal((ShardStatus.Pending, 0L, (string?)null), (shard.Status, shard.Sent, shard.LeaseOwner));
        Assert.True(shards!.Failed > 1, $"{shards.Failed} checkpoint attempts");
    }

    // One shard on the inbox, which every member has.
    private static CampaignDraft OneShard => new("sale", null, "Sale", "20% off", ["inbox"], null, Members, null);

    private static Task<WorkerRig> StartAsync(int failures, string retryFor, Action<FailingCheckpoints> created) =>
        WorkerRig.StartAsync(Members, new() { ["Shards:PageSize"] = "100", ["Shards:CheckpointRetryFor"] = retryFor }, services =>
            services.AddSingleton<IShardStore>(sp =>
            {
                var store = new FailingCheckpoints(sp.GetRequiredService<InMemoryCampaignStore>(), failures);
                created(store);
                return store;
            }));

    /// <summary>The in-memory shard store whose first <c>failures</c> checkpoints throw, as a database that is restarting does.</summary>
    private sealed class FailingCheckpoints(IShardStore inner, int failures) : IShardStore
    {
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public Task<bool> CheckpointAsync(ShardCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _failed) <= failures)
            {
                throw new InvalidOperationException("the database is restarting");
            }

            Interlocked.Decrement(ref _failed);
            return inner.CheckpointAsync(checkpoint, cancellationToken);
        }

        public Task<ShardWork?> TryLeaseAsync(ShardRef shard, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
            inner.TryLeaseAsync(shard, owner, now, until, cancellationToken);

        public Task<bool> RenewAsync(ShardRef shard, string owner, DateTimeOffset until, CancellationToken cancellationToken) =>
            inner.RenewAsync(shard, owner, until, cancellationToken);

        public Task ReleaseAsync(ShardRef shard, string owner, CancellationToken cancellationToken) => inner.ReleaseAsync(shard, owner, cancellationToken);

        public Task<CampaignStatus> EndAsync(ShardRef shard, string owner, ShardTrigger trigger, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.EndAsync(shard, owner, trigger, now, cancellationToken);

        public Task<CampaignStatus> CompleteIfEndedAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.CompleteIfEndedAsync(campaignId, now, cancellationToken);

        public Task<int> CancelPendingAsync(Guid campaignId, CancellationToken cancellationToken) => inner.CancelPendingAsync(campaignId, cancellationToken);

        public Task<IReadOnlyList<ShardRef>> TakePendingAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.TakePendingAsync(campaignId, now, cancellationToken);

        public Task<IReadOnlyList<ShardRef>> ClaimStrandedAsync(DateTimeOffset now, DateTimeOffset staleBefore, int limit, CancellationToken cancellationToken) =>
            inner.ClaimStrandedAsync(now, staleBefore, limit, cancellationToken);

        public Task<IReadOnlyList<Guid>> ClaimStalledPlansAsync(DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken) =>
            inner.ClaimStalledPlansAsync(now, staleBefore, cancellationToken);

        public Task<IReadOnlyList<ShardInfo>> ListAsync(Guid campaignId, int fromShardNo, int limit, CancellationToken cancellationToken) =>
            inner.ListAsync(campaignId, fromShardNo, limit, cancellationToken);
    }
}
