using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every campaign and shard store must do; run against PostgreSQL and the in-memory one.</summary>
public abstract class CampaignStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>The clock the store reads where its port passes no time (CancelPendingAsync).</summary>
    protected ManualTimeProvider Time { get; } = new(T0);

    protected abstract ICampaignStore Campaigns { get; }

    protected abstract IShardStore Shards { get; }

    [Fact]
    public async Task Creating_under_an_id_that_exists_returns_that_campaign_unchanged()
    {
        var id = Guid.NewGuid();
        var first = await Campaigns.CreateAsync(Draft("hot goods 10:00", kind: CampaignKind.HotGoods) with { Id = id }, T0, default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.StartPlanning, T0.AddSeconds(1), default);

        var again = await Campaigns.CreateAsync(Draft("hot goods 10:00 (re-run)", kind: CampaignKind.HotGoods) with { Id = id }, T0.AddMinutes(1), default);

        Assert.Equal(id, first.Id);
        Assert.Equal(id, again.Id);
        Assert.Equal("hot goods 10:00", again.Name);
        Assert.Equal(CampaignStatus.Planning, again.Status);
        Assert.Equal(T0, again.CreatedAt);
        Assert.Equal(id, again.RootId);
    }

    [Fact]
    public async Task A_created_campaign_is_pending_with_what_was_asked_and_is_its_own_root()
    {
        var created = await Campaigns.CreateAsync(Draft("spring sale", segment: "vip", maxSendsPerSecond: 500), T0, default);

        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.Equal(CampaignStatus.Pending, created.Status);
        Assert.Equal(created.Id, created.RootId);
        Assert.Null(created.ParentId);
        Assert.Equal(0, created.Version);
        Assert.Equal(ShardCounts.None, created.Shards);
        Assert.Equal(T0, created.CreatedAt);
        Assert.Null(created.StartedAt);
        Assert.Null(created.CompletedAt);

        var read = await Campaigns.GetAsync(created.Id, default);
        Assert.NotNull(read);
        Assert.Equal("spring sale", read.Name);
        Assert.Equal(CampaignKind.Push, read.Kind);
        Assert.Equal(JobPriority.High, read.Priority);
        Assert.Equal("vip", read.Segment);
        Assert.Equal(new CampaignMessage("Spring sale", "Everything 20% off", "{\"coupon\":7}"), read.Message);
        Assert.Equal([Channel.Sms, Channel.App], read.Channels);
        Assert.Equal(250, read.ShardSize);
        Assert.Equal(500, read.MaxSendsPerSecond);
        Assert.Equal(created.Id, read.RootId);
        Assert.Equal(T0, read.CreatedAt);
        Assert.Equal((0L, 0L, 0L, 0L), (read.AudienceSize, read.Sent, read.Failed, read.Skipped));
        Assert.Equal(CampaignStatus.Pending, await Campaigns.GetStatusAsync(created.Id, default));

        var retry = await Campaigns.CreateAsync(
            Draft("spring sale (retry failed)", kind: CampaignKind.Retry) with { ParentId = created.Id, RootId = created.Id }, T0.AddMinutes(1), default);
        Assert.NotEqual(created.Id, retry.Id);
        Assert.Equal(created.Id, retry.ParentId);
        Assert.Equal(created.Id, retry.RootId);
        Assert.Null((await Campaigns.GetAsync(retry.Id, default))!.Segment);
    }

    [Fact]
    public async Task Unknown_ids_read_as_null_and_writes_to_them_throw_key_not_found()
    {
        var unknown = Guid.NewGuid();
        Assert.Null(await Campaigns.GetAsync(unknown, default));
        Assert.Null(await Campaigns.GetStatusAsync(unknown, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Campaigns.TransitionAsync(unknown, CampaignTrigger.StartPlanning, T0, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Campaigns.SaveShardsAsync(unknown, [new ShardRange(0, 1, 10)], 9, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Campaigns.SaveShardsAsync(unknown, [], 0, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Campaigns.CreateAsync(Draft("orphan") with { ParentId = unknown }, T0, default));
        Assert.Null(await Shards.TryLeaseAsync(new ShardRef(unknown, 0), "a", T0, T0 + Lease, default));
        Assert.Equal(0, await Shards.CancelPendingAsync(unknown, default));
        Assert.Empty(await Shards.TakePendingAsync(unknown, T0, default));
        Assert.Empty((await Campaigns.ListAsync(new CampaignQuery(null, null, 1, 10), default)).Items);
    }

    [Fact]
    public async Task Transitions_follow_the_state_machine_and_stamp_the_start_and_end_times()
    {
        var id = (await Campaigns.CreateAsync(Draft("life"), T0, default)).Id;

        var planning = await Campaigns.TransitionAsync(id, CampaignTrigger.StartPlanning, T0.AddSeconds(1), default);
        Assert.Equal((CampaignStatus.Planning, 1), (planning.Status, planning.Version));
        Assert.Null(planning.StartedAt);

        var running = await Campaigns.TransitionAsync(id, CampaignTrigger.FinishPlanning, T0.AddSeconds(2), default);
        Assert.Equal((CampaignStatus.Running, 2), (running.Status, running.Version));
        Assert.Equal(T0.AddSeconds(2), running.StartedAt);
        Assert.Null(running.CompletedAt);

        Assert.Equal(CampaignStatus.Paused, (await Campaigns.TransitionAsync(id, CampaignTrigger.Pause, T0.AddSeconds(3), default)).Status);
        Assert.Equal(CampaignStatus.Running, (await Campaigns.TransitionAsync(id, CampaignTrigger.Resume, T0.AddSeconds(4), default)).Status);
        var cancelled = await Campaigns.TransitionAsync(id, CampaignTrigger.Cancel, T0.AddSeconds(5), default);
        Assert.Equal((CampaignStatus.Cancelled, 5), (cancelled.Status, cancelled.Version));
        Assert.Equal(T0.AddSeconds(2), cancelled.StartedAt);
        Assert.Equal(T0.AddSeconds(5), cancelled.CompletedAt);

        var refused = await Assert.ThrowsAsync<IllegalTransitionException>(() => Campaigns.TransitionAsync(id, CampaignTrigger.Resume, T0.AddSeconds(6), default));
        Assert.Equal("cannot resume a campaign that is Cancelled", refused.Message);
        var after = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Cancelled, 5, T0.AddSeconds(5)), (after!.Status, after.Version, after.CompletedAt));
    }

    [Fact]
    public async Task Of_concurrent_identical_transitions_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = await RunningCampaignAsync(shards: 1);
            var before = (await Campaigns.GetAsync(id, default))!.Version;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racing = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                await go.Task;
                try
                {
                    await Campaigns.TransitionAsync(id, CampaignTrigger.Pause, T0.AddMinutes(1), default);
                    return true;
                }
                catch (IllegalTransitionException ex)
                {
                    Assert.Equal("cannot pause a campaign that is Paused", ex.Message);
                    return false;
                }
            })).ToList();
            go.SetResult();
            var attempts = await Task.WhenAll(racing);

            Assert.Equal(1, attempts.Count(won => won));
            var after = await Campaigns.GetAsync(id, default);
            Assert.Equal((CampaignStatus.Paused, before + 1), (after!.Status, after.Version));
        }
    }

    [Fact]
    public async Task A_transition_that_loses_the_race_is_decided_again_on_the_new_status()
    {
        for (var round = 0; round < 10; round++)
        {
            var id = await RunningCampaignAsync(shards: 1);
            var before = (await Campaigns.GetAsync(id, default))!.Version;
            var pause = Task.Run(async () =>
            {
                try
                {
                    await Campaigns.TransitionAsync(id, CampaignTrigger.Pause, T0.AddMinutes(1), default);
                    return true;
                }
                catch (IllegalTransitionException)
                {
                    return false; // the cancel came first
                }
            });
            // Cancel is legal from Running and from Paused, so it must win whichever came first.
            var cancel = Task.Run(() => Campaigns.TransitionAsync(id, CampaignTrigger.Cancel, T0.AddMinutes(1), default));
            var paused = await pause;
            var cancelled = await cancel;

            Assert.Equal(CampaignStatus.Cancelled, cancelled.Status);
            Assert.Equal(before + (paused ? 2 : 1), cancelled.Version);
            Assert.Equal(CampaignStatus.Cancelled, await Campaigns.GetStatusAsync(id, default));
        }
    }

    [Fact]
    public async Task Saved_shards_start_pending_before_their_range_and_saving_again_changes_nothing()
    {
        var id = await PlanningCampaignAsync();
        ShardRange[] ranges = [new(0, 100, 200), new(1, 200, 350), new(2, 350, 351)];
        await Campaigns.SaveShardsAsync(id, ranges, 240, default);

        var campaign = await Campaigns.GetAsync(id, default);
        Assert.Equal(240, campaign!.AudienceSize);
        Assert.Equal(new ShardCounts(3, 3, 0, 0, 0, 0), campaign.Shards);
        var listed = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal(
            [new ShardInfo(0, ShardStatus.Pending, 100, 200, 99, 0, 0, 0, null, 0), new ShardInfo(1, ShardStatus.Pending, 200, 350, 199, 0, 0, 0, null, 0),
             new ShardInfo(2, ShardStatus.Pending, 350, 351, 349, 0, 0, 0, null, 0)],
            listed);

        // A re-delivered plan message after one shard was leased and checkpointed rewrites nothing.
        await Campaigns.TransitionAsync(id, CampaignTrigger.FinishPlanning, T0, default);
        var shard = new ShardRef(id, 1);
        Assert.NotNull(await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default));
        Assert.True(await Shards.CheckpointAsync(Page(shard, "a", 260, sent: 5), default));
        await Campaigns.SaveShardsAsync(id, ranges, 240, default);

        Assert.Equal(new ShardInfo(1, ShardStatus.Running, 200, 350, 260, 5, 0, 0, "a", 1), (await Shards.ListAsync(id, 1, 1, default)).Single());
        var again = await Campaigns.GetAsync(id, default);
        Assert.Equal((240L, 5L), (again!.AudienceSize, again.Sent));
        Assert.Equal(new ShardCounts(3, 2, 1, 0, 0, 0), again.Shards);
    }

    [Fact]
    public async Task A_lease_is_granted_once_and_an_expired_one_is_taken_over_from_the_checkpoint()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var shard = new ShardRef(id, 1);

        var first = await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);
        Assert.Equal(new ShardWork(id, 1, 100, 200, 99, 1), first);
        Assert.Null(await Shards.TryLeaseAsync(shard, "b", T0.AddSeconds(1), T0.AddSeconds(31), default));
        // The lease holds up to and including its expiry instant.
        Assert.Null(await Shards.TryLeaseAsync(shard, "b", T0 + Lease, T0.AddMinutes(1), default));
        Assert.True(await Shards.CheckpointAsync(Page(shard, "a", 150, sent: 40), default));

        var takeover = await Shards.TryLeaseAsync(shard, "b", T0.AddMinutes(5), T0.AddMinutes(5) + Lease, default);
        Assert.Equal(new ShardWork(id, 1, 100, 200, 150, 2), takeover);

        // The old owner has lost everything: checkpoint, renewal, release and end do nothing.
        Assert.False(await Shards.CheckpointAsync(Page(shard, "a", 199, sent: 49), default));
        Assert.False(await Shards.RenewAsync(shard, "a", T0.AddHours(1), default));
        await Shards.ReleaseAsync(shard, "a", default);
        Assert.Equal(CampaignStatus.Running, await Shards.EndAsync(shard, "a", ShardTrigger.Finish, T0.AddMinutes(5), default));
        Assert.Equal(new ShardInfo(1, ShardStatus.Running, 100, 200, 150, 40, 0, 0, "b", 2), (await Shards.ListAsync(id, 1, 1, default)).Single());
        Assert.Equal(40, (await Campaigns.GetAsync(id, default))!.Sent);
    }

    [Fact]
    public async Task Of_concurrent_lease_attempts_exactly_one_wins()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);

        var works = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => Shards.TryLeaseAsync(shard, "node-" + i, T0, T0 + Lease, default))));

        var won = Assert.Single(works, w => w is not null);
        Assert.Equal(1, won!.Attempts);
        var info = (await Shards.ListAsync(id, 0, 1, default)).Single();
        Assert.Equal((ShardStatus.Running, 1), (info.Status, info.Attempts));
        Assert.StartsWith("node-", info.LeaseOwner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leasing_needs_a_pending_or_expired_shard()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var done = new ShardRef(id, 0);
        await Shards.TryLeaseAsync(done, "a", T0, T0 + Lease, default);
        await Shards.EndAsync(done, "a", ShardTrigger.Finish, T0, default);

        Assert.Null(await Shards.TryLeaseAsync(done, "b", T0.AddHours(1), T0.AddHours(2), default));
        Assert.Null(await Shards.TryLeaseAsync(new ShardRef(id, 7), "b", T0, T0 + Lease, default));
        Assert.Equal(ShardStatus.Done, (await Shards.ListAsync(id, 0, 1, default)).Single().Status);
    }

    [Fact]
    public async Task A_checkpoint_adds_the_page_to_shard_and_campaign_and_records_failures_and_reasons()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var s0 = new ShardRef(id, 0);
        var s1 = new ShardRef(id, 1);
        await Shards.TryLeaseAsync(s0, "a", T0, T0 + Lease, default);
        await Shards.TryLeaseAsync(s1, "b", T0, T0 + Lease, default);

        Assert.True(await Shards.CheckpointAsync(Page(s0, "a", 40, sent: 30, skipped: 2,
            failures: [Failure(12, Channel.Sms, "invalid number"), Failure(12, Channel.App, "token expired"), Failure(3, Channel.Email, "bounced")],
            reasons: [new(DeliveryOutcome.Failed, "invalid number", 1), new(DeliveryOutcome.Failed, "bounced", 1), new(DeliveryOutcome.Skipped, "no sms contact", 2)]),
            default));
        Assert.True(await Shards.CheckpointAsync(Page(s1, "b", 130, sent: 20, skipped: 1,
            failures: [Failure(120, Channel.Sms, "invalid number")],
            reasons: [new(DeliveryOutcome.Failed, "invalid number", 1), new(DeliveryOutcome.Skipped, "no sms contact", 1)]),
            default));
        Assert.True(await Shards.CheckpointAsync(Page(s0, "a", 99, sent: 10, until: T0.AddMinutes(10)), default));

        var infos = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal(new ShardInfo(0, ShardStatus.Running, 0, 100, 99, 40, 2, 2, "a", 1), infos[0]);
        Assert.Equal(new ShardInfo(1, ShardStatus.Running, 100, 200, 130, 20, 1, 1, "b", 1), infos[1]);
        var campaign = await Campaigns.GetAsync(id, default);
        Assert.Equal((60L, 3L, 3L), (campaign!.Sent, campaign.Failed, campaign.Skipped));
        Assert.Equal((infos.Sum(s => s.Sent), infos.Sum(s => s.Failed), infos.Sum(s => s.Skipped)), (campaign.Sent, campaign.Failed, campaign.Skipped));

        var failures = await ReadAllFailuresAsync(id);
        Assert.Equal(
            [(3L, Channel.Email, "bounced"), (12L, Channel.App, "token expired"), (12L, Channel.Sms, "invalid number"), (120L, Channel.Sms, "invalid number")],
            failures.Select(f => (f.MemberId, f.Channel, f.Reason)));
        Assert.All(failures, f => Assert.Equal(T0.AddSeconds(1), f.At));
        Assert.Equal(
            [new ReasonCount(DeliveryOutcome.Skipped, "no sms contact", 3), new ReasonCount(DeliveryOutcome.Failed, "invalid number", 2), new ReasonCount(DeliveryOutcome.Failed, "bounced", 1)],
            await Campaigns.ReadReasonsAsync(id, default));

        // The last checkpoint renewed the lease to T0 + 10 min.
        Assert.Null(await Shards.TryLeaseAsync(s0, "c", T0.AddMinutes(9), T0.AddMinutes(20), default));
        Assert.NotNull(await Shards.TryLeaseAsync(s0, "c", T0.AddMinutes(11), T0.AddMinutes(20), default));
    }

    [Fact]
    public async Task A_re_sent_page_replaces_its_failure_rows_instead_of_adding_them()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);
        Assert.True(await Shards.CheckpointAsync(Page(shard, "a", 10, sent: 9, failures: [Failure(5, Channel.Sms, "timeout")]), default));

        // A worker died before checkpointing the next page; its successor re-sends member 5 too.
        Assert.NotNull(await Shards.TryLeaseAsync(shard, "b", T0.AddMinutes(5), T0.AddMinutes(6), default));
        Assert.True(await Shards.CheckpointAsync(Page(shard, "b", 20, sent: 9,
            failures: [Failure(5, Channel.Sms, "timeout"), Failure(5, Channel.Sms, "rejected"), Failure(15, Channel.Email, "bounced")]), default));

        var failures = await ReadAllFailuresAsync(id);
        Assert.Equal([(5L, Channel.Sms, "rejected"), (15L, Channel.Email, "bounced")], failures.Select(f => (f.MemberId, f.Channel, f.Reason)));
    }

    [Fact]
    public async Task A_checkpoint_without_the_lease_writes_nothing()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var leased = new ShardRef(id, 0);
        var pending = new ShardRef(id, 1);
        await Shards.TryLeaseAsync(leased, "a", T0, T0 + Lease, default);

        var stray = Page(leased, "b", 50, sent: 10, skipped: 1, failures: [Failure(7, Channel.App, "x")], reasons: [new(DeliveryOutcome.Failed, "x", 1)]);
        Assert.False(await Shards.CheckpointAsync(stray, default));
        Assert.False(await Shards.CheckpointAsync(stray with { Shard = pending, Owner = "a" }, default));
        Assert.False(await Shards.CheckpointAsync(stray with { Shard = new ShardRef(id, 9), Owner = "a" }, default));

        var campaign = await Campaigns.GetAsync(id, default);
        Assert.Equal((0L, 0L, 0L), (campaign!.Sent, campaign.Failed, campaign.Skipped));
        Assert.Empty(await ReadAllFailuresAsync(id));
        Assert.Empty(await Campaigns.ReadReasonsAsync(id, default));
        var infos = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal(new ShardInfo(0, ShardStatus.Running, 0, 100, -1, 0, 0, 0, "a", 1), infos[0]);
        Assert.Equal(new ShardInfo(1, ShardStatus.Pending, 100, 200, 99, 0, 0, 0, null, 0), infos[1]);
    }

    [Fact]
    public async Task Campaign_counts_equal_the_sum_of_shard_counts_under_concurrent_checkpoints()
    {
        var id = await RunningCampaignAsync(shards: 6);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(no => Task.Run(async () =>
        {
            var shard = new ShardRef(id, no);
            var owner = "node-" + no;
            Assert.NotNull(await Shards.TryLeaseAsync(shard, owner, T0, T0 + Lease, default));
            for (var page = 0; page < 10; page++)
            {
                var first = (no * 100L) + (page * 10);
                Assert.True(await Shards.CheckpointAsync(
                    Page(shard, owner, first + 9, sent: 7, skipped: 1, failures: [Failure(first, Channel.Sms, "busy"), Failure(first + 1, Channel.Sms, "busy")],
                        reasons: [new(DeliveryOutcome.Failed, "busy", 2), new(DeliveryOutcome.Skipped, "capped", 1)]),
                    default));
            }
        })));

        var campaign = await Campaigns.GetAsync(id, default);
        var infos = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal((420L, 120L, 60L), (campaign!.Sent, campaign.Failed, campaign.Skipped));
        Assert.Equal((infos.Sum(s => s.Sent), infos.Sum(s => s.Failed), infos.Sum(s => s.Skipped)), (campaign.Sent, campaign.Failed, campaign.Skipped));
        Assert.Equal(120, (await ReadAllFailuresAsync(id)).Count);
        Assert.Equal([new ReasonCount(DeliveryOutcome.Failed, "busy", 120), new ReasonCount(DeliveryOutcome.Skipped, "capped", 60)], await Campaigns.ReadReasonsAsync(id, default));
    }

    [Fact]
    public async Task Renewal_and_release_belong_to_the_owner_and_release_keeps_the_checkpoint()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);
        Assert.True(await Shards.CheckpointAsync(Page(shard, "a", 33, sent: 34), default));

        Assert.False(await Shards.RenewAsync(shard, "b", T0.AddHours(1), default));
        Assert.True(await Shards.RenewAsync(shard, "a", T0.AddMinutes(10), default));
        Assert.Null(await Shards.TryLeaseAsync(shard, "b", T0.AddMinutes(9), T0.AddMinutes(20), default));

        await Shards.ReleaseAsync(shard, "b", default);
        Assert.Equal(ShardStatus.Running, (await Shards.ListAsync(id, 0, 1, default)).Single().Status);
        await Shards.ReleaseAsync(shard, "a", default);
        Assert.Equal(new ShardInfo(0, ShardStatus.Pending, 0, 100, 33, 34, 0, 0, null, 1), (await Shards.ListAsync(id, 0, 1, default)).Single());
        Assert.False(await Shards.RenewAsync(shard, "a", T0.AddHours(1), default));

        // Released: anyone may lease it at once, from the checkpoint.
        Assert.Equal(new ShardWork(id, 0, 0, 100, 33, 2), await Shards.TryLeaseAsync(shard, "b", T0.AddSeconds(1), T0.AddSeconds(31), default));
    }

    [Fact]
    public async Task Ending_the_last_shard_completes_the_campaign_with_the_members_actually_read()
    {
        var id = await RunningCampaignAsync(shards: 2, audienceSize: 200);
        var s0 = new ShardRef(id, 0);
        var s1 = new ShardRef(id, 1);
        await Shards.TryLeaseAsync(s0, "a", T0, T0 + Lease, default);
        await Shards.TryLeaseAsync(s1, "b", T0, T0 + Lease, default);
        await Shards.CheckpointAsync(Page(s0, "a", 99, sent: 80, skipped: 5, failures: [Failure(4, Channel.App, "gone")]), default);
        await Shards.CheckpointAsync(Page(s1, "b", 199, sent: 70, skipped: 3), default);
        var version = (await Campaigns.GetAsync(id, default))!.Version;

        Assert.Equal(CampaignStatus.Running, await Shards.EndAsync(s0, "a", ShardTrigger.Finish, T0.AddMinutes(1), default));
        var midway = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Running, 200L, version, (DateTimeOffset?)null), (midway!.Status, midway.AudienceSize, midway.Version, midway.CompletedAt));
        Assert.Equal(new ShardCounts(2, 0, 1, 1, 0, 0), midway.Shards);

        Assert.Equal(CampaignStatus.Completed, await Shards.EndAsync(s1, "b", ShardTrigger.Finish, T0.AddMinutes(2), default));
        var done = await Campaigns.GetAsync(id, default);
        Assert.Equal(CampaignStatus.Completed, done!.Status);
        Assert.Equal(159, done.AudienceSize);
        Assert.Equal(done.Sent + done.Failed + done.Skipped, done.AudienceSize);
        Assert.Equal(T0.AddMinutes(2), done.CompletedAt);
        Assert.Equal(version + 1, done.Version);
        Assert.Equal(new ShardCounts(2, 0, 0, 2, 0, 0), done.Shards);
        // An ended shard keeps the worker that ended it, with no lease expiry.
        Assert.Equal(["a", "b"], (await Shards.ListAsync(id, 0, 10, default)).Select(s => s.LeaseOwner));
        Assert.Equal(CampaignStatus.Completed, await Campaigns.GetStatusAsync(id, default));
    }

    [Fact]
    public async Task A_failed_shard_ends_the_campaign_failed_once_every_shard_has_ended()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var s0 = new ShardRef(id, 0);
        var s1 = new ShardRef(id, 1);
        await Shards.TryLeaseAsync(s0, "a", T0, T0 + Lease, default);
        await Shards.TryLeaseAsync(s1, "b", T0, T0 + Lease, default);
        await Shards.CheckpointAsync(Page(s1, "b", 150, sent: 50), default);

        Assert.Equal(CampaignStatus.Running, await Shards.EndAsync(s0, "a", ShardTrigger.Fail, T0.AddMinutes(1), default));
        Assert.Equal(CampaignStatus.Failed, await Shards.EndAsync(s1, "b", ShardTrigger.Finish, T0.AddMinutes(2), default));

        var failed = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Failed, 50L, T0.AddMinutes(2)), (failed!.Status, failed.AudienceSize, failed.CompletedAt));
        Assert.Equal(new ShardCounts(2, 0, 0, 1, 1, 0), failed.Shards);
    }

    [Fact]
    public async Task Ending_a_shard_completes_only_a_running_campaign_and_only_for_the_lease_holder()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);

        Assert.Equal(CampaignStatus.Running, await Shards.EndAsync(shard, "b", ShardTrigger.Finish, T0, default));
        Assert.Equal(ShardStatus.Running, (await Shards.ListAsync(id, 0, 1, default)).Single().Status);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Shards.EndAsync(shard, "a", ShardTrigger.Release, T0, default));

        await Campaigns.TransitionAsync(id, CampaignTrigger.Pause, T0, default);
        Assert.Equal(CampaignStatus.Paused, await Shards.EndAsync(shard, "a", ShardTrigger.Finish, T0.AddMinutes(1), default));
        var paused = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Paused, (DateTimeOffset?)null), (paused!.Status, paused.CompletedAt));
        Assert.Equal(new ShardCounts(1, 0, 0, 1, 0, 0), paused.Shards);

        var other = await RunningCampaignAsync(shards: 1);
        var cancelShard = new ShardRef(other, 0);
        await Shards.TryLeaseAsync(cancelShard, "a", T0, T0 + Lease, default);
        await Campaigns.TransitionAsync(other, CampaignTrigger.Cancel, T0.AddSeconds(5), default);
        Assert.Equal(CampaignStatus.Cancelled, await Shards.EndAsync(cancelShard, "a", ShardTrigger.Cancel, T0.AddMinutes(1), default));
        var cancelled = await Campaigns.GetAsync(other, default);
        Assert.Equal((CampaignStatus.Cancelled, T0.AddSeconds(5)), (cancelled!.Status, cancelled.CompletedAt));
        Assert.Equal(new ShardCounts(1, 0, 0, 0, 0, 1), cancelled.Shards);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Shards.EndAsync(new ShardRef(Guid.NewGuid(), 0), "a", ShardTrigger.Finish, T0, default));
    }

    [Fact]
    public async Task A_campaign_whose_last_shard_ended_while_paused_completes_on_resume()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);
        await Shards.CheckpointAsync(Page(shard, "a", 49, sent: 50), default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.Pause, T0.AddSeconds(1), default);
        Assert.Equal(CampaignStatus.Paused, await Shards.EndAsync(shard, "a", ShardTrigger.Finish, T0.AddSeconds(2), default));

        await Campaigns.TransitionAsync(id, CampaignTrigger.Resume, T0.AddSeconds(3), default);
        Assert.Equal(CampaignStatus.Completed, await Shards.CompleteIfEndedAsync(id, T0.AddSeconds(4), default));
        var done = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Completed, 50L, T0.AddSeconds(4)), (done!.Status, done.AudienceSize, done.CompletedAt));

        var open = await RunningCampaignAsync(shards: 2);
        Assert.Equal(CampaignStatus.Running, await Shards.CompleteIfEndedAsync(open, T0, default));
    }

    [Fact]
    public async Task The_last_two_shards_ending_together_complete_the_campaign_exactly_once()
    {
        for (var round = 0; round < 10; round++)
        {
            var id = await RunningCampaignAsync(shards: 2);
            var s0 = new ShardRef(id, 0);
            var s1 = new ShardRef(id, 1);
            await Shards.TryLeaseAsync(s0, "a", T0, T0 + Lease, default);
            await Shards.TryLeaseAsync(s1, "b", T0, T0 + Lease, default);
            await Shards.CheckpointAsync(Page(s0, "a", 99, sent: 100), default);
            await Shards.CheckpointAsync(Page(s1, "b", 199, sent: 100), default);
            var version = (await Campaigns.GetAsync(id, default))!.Version;

            var ends = await Task.WhenAll(
                Task.Run(() => Shards.EndAsync(s0, "a", ShardTrigger.Finish, T0.AddMinutes(1), default)),
                Task.Run(() => Shards.EndAsync(s1, "b", ShardTrigger.Finish, T0.AddMinutes(1), default)));

            Assert.Contains(CampaignStatus.Completed, ends);
            var done = await Campaigns.GetAsync(id, default);
            Assert.Equal((CampaignStatus.Completed, 200L, version + 1), (done!.Status, done.AudienceSize, done.Version));
        }
    }

    [Fact]
    public async Task Cancelling_pending_shards_spares_live_leases_and_ended_shards()
    {
        var id = await RunningCampaignAsync(shards: 5);
        await Shards.TryLeaseAsync(new ShardRef(id, 1), "live", T0, T0.AddMinutes(10), default);
        await Shards.TryLeaseAsync(new ShardRef(id, 2), "dead", T0, T0.AddSeconds(10), default);
        await Shards.TryLeaseAsync(new ShardRef(id, 3), "a", T0, T0 + Lease, default);
        await Shards.EndAsync(new ShardRef(id, 3), "a", ShardTrigger.Finish, T0, default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.Cancel, T0.AddMinutes(1), default);
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(3, await Shards.CancelPendingAsync(id, default));

        List<(ShardStatus, string?)> expected =
            [(ShardStatus.Cancelled, null), (ShardStatus.Running, "live"), (ShardStatus.Cancelled, null), (ShardStatus.Done, "a"), (ShardStatus.Cancelled, null)];
        Assert.Equal(expected, (await Shards.ListAsync(id, 0, 10, default)).Select(s => (s.Status, s.LeaseOwner)));
        Assert.Equal(0, await Shards.CancelPendingAsync(id, default));
        Assert.Equal(new ShardCounts(5, 0, 1, 1, 0, 3), (await Campaigns.GetAsync(id, default))!.Shards);
    }

    [Fact]
    public async Task Taking_pending_shards_returns_them_in_order_and_marks_them_dispatched()
    {
        var id = await RunningCampaignAsync(shards: 4, dispatch: false);
        await Shards.TryLeaseAsync(new ShardRef(id, 2), "a", T0, T0 + Lease, default);

        var taken = await Shards.TakePendingAsync(id, T0, default);
        Assert.Equal([new ShardRef(id, 0), new ShardRef(id, 1), new ShardRef(id, 3)], taken);

        // Just dispatched: a sweep with a staleness bound before now leaves them alone.
        Assert.Empty(await Shards.ClaimStrandedAsync(T0.AddSeconds(5), T0.AddSeconds(-55), 100, default));
        Assert.Equal(taken, await Shards.TakePendingAsync(id, T0.AddSeconds(6), default));
    }

    [Fact]
    public async Task A_sweep_claims_expired_leases_and_stale_pending_shards_of_running_campaigns_once()
    {
        var id = await RunningCampaignAsync(shards: 5);
        await Shards.TryLeaseAsync(new ShardRef(id, 1), "dead", T0, T0.AddSeconds(30), default);
        await Shards.TryLeaseAsync(new ShardRef(id, 2), "live", T0, T0.AddMinutes(10), default);
        await Shards.TryLeaseAsync(new ShardRef(id, 4), "a", T0, T0 + Lease, default);
        await Shards.EndAsync(new ShardRef(id, 4), "a", ShardTrigger.Finish, T0, default);
        var paused = await RunningCampaignAsync(shards: 2);
        await Campaigns.TransitionAsync(paused, CampaignTrigger.Pause, T0, default);
        var planning = await PlanningCampaignAsync();
        await Campaigns.SaveShardsAsync(planning, [new ShardRange(0, 0, 10)], 10, default);

        var now = T0.AddMinutes(2);
        var staleBefore = T0.AddMinutes(1);
        // While shard 2 is live, pending shards 0 and 3 are taken to be queued behind it: only the dead lease is claimed.
        Assert.Equal([new ShardRef(id, 1)], await Shards.ClaimStrandedAsync(now, staleBefore, 100, default));
        Assert.Empty(await Shards.ClaimStrandedAsync(now, staleBefore, 100, default));

        // A shard its worker released (graceful stop) has no message in flight: claimed even while another lease is live.
        var released = new ShardRef(id, 3);
        await Shards.TryLeaseAsync(released, "stopping", now, now + Lease, default);
        await Shards.ReleaseAsync(released, "stopping", default);
        Assert.Equal([released], await Shards.ClaimStrandedAsync(now, staleBefore, 100, default));

        // With no live lease left, dispatched pending shards must have lost their messages: claimed once.
        await Shards.EndAsync(new ShardRef(id, 2), "live", ShardTrigger.Finish, now, default);
        Assert.Equal([new ShardRef(id, 0)], await Shards.ClaimStrandedAsync(now.AddSeconds(1), staleBefore, 100, default));
        Assert.Empty(await Shards.ClaimStrandedAsync(now.AddSeconds(30), staleBefore.AddSeconds(30), 100, default));

        // Claimed shards become claimable again once their new dispatch is stale too.
        var later = await Shards.ClaimStrandedAsync(now.AddMinutes(2), now.AddSeconds(2), 2, default);
        Assert.Equal(2, later.Count);
        var rest = await Shards.ClaimStrandedAsync(now.AddMinutes(2), now.AddSeconds(2), 2, default);
        Assert.Equal([new ShardRef(id, 0), new ShardRef(id, 1), new ShardRef(id, 3)], later.Concat(rest).OrderBy(s => s.ShardNo));
    }

    [Fact]
    public async Task Concurrent_sweeps_never_claim_the_same_shard()
    {
        var id = await RunningCampaignAsync(shards: 60, dispatch: false);

        var sweeps = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var mine = new List<ShardRef>();
            while (true)
            {
                var claimed = await Shards.ClaimStrandedAsync(T0.AddMinutes(5), T0.AddMinutes(4), 7, default);
                if (claimed.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(claimed);
            }
        })));

        var all = sweeps.SelectMany(s => s).ToList();
        Assert.Equal(60, all.Count);
        Assert.Equal(Enumerable.Range(0, 60), all.Select(s => s.ShardNo).Order());
        Assert.All(all, s => Assert.Equal(id, s.CampaignId));
    }

    [Fact]
    public async Task Stalled_plans_are_claimed_once_per_staleness_period()
    {
        var pending = (await Campaigns.CreateAsync(Draft("lost plan message"), T0, default)).Id;
        var planning = (await Campaigns.CreateAsync(Draft("planner died"), T0.AddSeconds(1), default)).Id;
        await Campaigns.TransitionAsync(planning, CampaignTrigger.StartPlanning, T0.AddSeconds(2), default);
        var fresh = (await Campaigns.CreateAsync(Draft("just created"), T0.AddMinutes(4), default)).Id;
        var running = await RunningCampaignAsync(shards: 1);

        Assert.Equal([pending, planning], await Shards.ClaimStalledPlansAsync(T0.AddMinutes(5), T0.AddMinutes(1), default));
        Assert.Empty(await Shards.ClaimStalledPlansAsync(T0.AddMinutes(5), T0.AddMinutes(1), default));
        Assert.Empty(await Shards.ClaimStalledPlansAsync(T0.AddMinutes(5).AddSeconds(30), T0.AddMinutes(3), default));

        var again = await Shards.ClaimStalledPlansAsync(T0.AddMinutes(10), T0.AddMinutes(6), default);
        Assert.Equal([pending, planning, fresh], again);
        Assert.DoesNotContain(running, again);
        Assert.Equal(CampaignStatus.Pending, await Campaigns.GetStatusAsync(pending, default));
    }

    [Fact]
    public async Task Concurrent_stalled_plan_sweeps_claim_each_campaign_once()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await Campaigns.CreateAsync(Draft("stalled " + i), T0.AddSeconds(i), default)).Id);
        }

        var sweeps = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            Task.Run(() => Shards.ClaimStalledPlansAsync(T0.AddMinutes(10), T0.AddMinutes(5), default))));

        Assert.Equal(ids.Order(), sweeps.SelectMany(s => s).Order());
    }

    [Fact]
    public async Task The_campaign_list_is_newest_first_filtered_and_paged()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var kind = i % 2 == 0 ? CampaignKind.Push : CampaignKind.HotGoods;
            ids.Add((await Campaigns.CreateAsync(Draft("c" + i, kind: kind), T0.AddMinutes(i), default)).Id);
        }

        await Campaigns.TransitionAsync(ids[1], CampaignTrigger.Cancel, T0.AddMinutes(10), default);
        await Campaigns.TransitionAsync(ids[4], CampaignTrigger.Cancel, T0.AddMinutes(10), default);

        var first = await Campaigns.ListAsync(new CampaignQuery(null, null, 1, 2), default);
        Assert.Equal((5L, 1, 2), (first.Total, first.Page, first.PageSize));
        Assert.Equal([ids[4], ids[3]], first.Items.Select(c => c.Id));
        var last = await Campaigns.ListAsync(new CampaignQuery(null, null, 3, 2), default);
        Assert.Equal([ids[0]], last.Items.Select(c => c.Id));
        var beyond = await Campaigns.ListAsync(new CampaignQuery(null, null, 4, 2), default);
        Assert.Equal(5, beyond.Total);
        Assert.Empty(beyond.Items);

        var hotGoods = await Campaigns.ListAsync(new CampaignQuery(CampaignKind.HotGoods, null, 1, 10), default);
        Assert.Equal(2, hotGoods.Total);
        Assert.Equal([ids[3], ids[1]], hotGoods.Items.Select(c => c.Id));
        var cancelled = await Campaigns.ListAsync(new CampaignQuery(null, CampaignStatus.Cancelled, 1, 10), default);
        Assert.Equal([ids[4], ids[1]], cancelled.Items.Select(c => c.Id));
        var both = await Campaigns.ListAsync(new CampaignQuery(CampaignKind.Push, CampaignStatus.Pending, 1, 10), default);
        Assert.Equal(2, both.Total);
        Assert.Equal([ids[2], ids[0]], both.Items.Select(c => c.Id));
        Assert.All(both.Items, c => Assert.Equal(("c" + ids.IndexOf(c.Id), CampaignStatus.Pending), (c.Name, c.Status)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Campaigns.ListAsync(new CampaignQuery(null, null, 0, 10), default));
    }

    [Fact]
    public async Task Campaigns_and_their_shard_counts_are_listed_with_their_progress()
    {
        var id = await RunningCampaignAsync(shards: 3);
        var shard = new ShardRef(id, 2);
        await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);
        await Shards.CheckpointAsync(Page(shard, "a", 250, sent: 11), default);

        var listed = Assert.Single((await Campaigns.ListAsync(new CampaignQuery(null, CampaignStatus.Running, 1, 10), default)).Items);
        Assert.Equal(id, listed.Id);
        Assert.Equal(new ShardCounts(3, 2, 1, 0, 0, 0), listed.Shards);
        Assert.Equal(11, listed.Sent);
        Assert.Equal(T0, listed.StartedAt);
    }

    [Fact]
    public async Task The_shard_list_is_a_window_in_shard_order()
    {
        var id = await RunningCampaignAsync(shards: 6);

        var window = await Shards.ListAsync(id, 2, 3, default);
        Assert.Equal([2, 3, 4], window.Select(s => s.ShardNo));
        Assert.Equal([(200L, 300L), (300L, 400L), (400L, 500L)], window.Select(s => (s.Lo, s.Hi)));
        Assert.Equal([5], (await Shards.ListAsync(id, 5, 10, default)).Select(s => s.ShardNo));
        Assert.Empty(await Shards.ListAsync(id, 6, 10, default));
        Assert.Empty(await Shards.ListAsync(Guid.NewGuid(), 0, 10, default));
    }

    [Fact]
    public async Task A_retry_pass_is_planned_over_the_distinct_failed_members_and_read_in_keyset_pages()
    {
        var id = await RunningCampaignAsync(shards: 1, width: 1_000);
        var shard = new ShardRef(id, 0);
        await Shards.TryLeaseAsync(shard, "a", T0, T0 + Lease, default);
        // Members 10, 20, ..., 70 failed; the even tens on two channels.
        var failures = Enumerable.Range(1, 7).SelectMany(i => i % 2 == 0
            ? new[] { Failure(i * 10, Channel.Sms, "busy"), Failure(i * 10, Channel.App, "busy") }
            : [Failure(i * 10, Channel.Email, "bounced")]).ToList();
        await Shards.CheckpointAsync(Page(shard, "a", 999, sent: 0, failures: failures), default);

        var plan = await Campaigns.PlanFailedMembersAsync(id, 3, default);
        Assert.Equal(7, plan.AudienceSize);
        Assert.Equal([10L, 40L, 70L], plan.Boundaries);
        Assert.Equal(70, plan.MaxId);
        var single = await Campaigns.PlanFailedMembersAsync(id, 100, default);
        Assert.Equal((7L, 70L), (single.AudienceSize, single.MaxId));
        Assert.Equal([10L], single.Boundaries);
        Assert.Equal(AudiencePlan.Empty.AudienceSize, (await Campaigns.PlanFailedMembersAsync(Guid.NewGuid(), 3, default)).AudienceSize);
        Assert.Empty((await Campaigns.PlanFailedMembersAsync(Guid.NewGuid(), 3, default)).Boundaries);

        var page = await Campaigns.ReadFailedPageAsync(id, 10, 70, 3, default);
        Assert.Equal([20L, 30L, 40L], page.Select(p => p.MemberId));
        Assert.Equal([Channel.App, Channel.Sms], page[0].Channels);
        Assert.Equal([Channel.Email], page[1].Channels);
        var next = await Campaigns.ReadFailedPageAsync(id, page[^1].MemberId, 70, 3, default);
        Assert.Equal([50L, 60L], next.Select(p => p.MemberId));
        Assert.Empty(await Campaigns.ReadFailedPageAsync(id, 60, 70, 3, default));
    }

    protected static NewCampaign Draft(string name, CampaignKind kind = CampaignKind.Push, string? segment = null, int? maxSendsPerSecond = null) =>
        new(name, kind, JobPriority.High, segment, new CampaignMessage("Spring sale", "Everything 20% off", "{\"coupon\":7}"), [Channel.Sms, Channel.App], 250, maxSendsPerSecond);

    private static SendFailure Failure(long memberId, Channel channel, string reason) => new(memberId, channel, reason, T0.AddSeconds(1));

    // Failed counts members, not rows: a member failing on two channels is one failed member.
    private static ShardCheckpoint Page(
        ShardRef shard, string owner, long cursor, int sent, int skipped = 0,
        IReadOnlyList<SendFailure>? failures = null, IReadOnlyList<ReasonCount>? reasons = null, DateTimeOffset? until = null) =>
        new(shard, owner, cursor, sent, failures?.Select(f => f.MemberId).Distinct().Count() ?? 0, skipped, failures ?? [], reasons ?? [], until ?? T0 + Lease);

    private async Task<Guid> PlanningCampaignAsync()
    {
        var id = (await Campaigns.CreateAsync(Draft("sharded"), T0, default)).Id;
        await Campaigns.TransitionAsync(id, CampaignTrigger.StartPlanning, T0, default);
        return id;
    }

    // Shards [i * width, (i + 1) * width), Running, dispatched at T0 unless told otherwise.
    private async Task<Guid> RunningCampaignAsync(int shards, long width = 100, long? audienceSize = null, bool dispatch = true)
    {
        var id = await PlanningCampaignAsync();
        await Campaigns.SaveShardsAsync(id, [.. Enumerable.Range(0, shards).Select(i => new ShardRange(i, i * width, (i + 1) * width))], audienceSize ?? shards * width, default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.FinishPlanning, T0, default);
        if (dispatch)
        {
            Assert.Equal(shards, (await Shards.TakePendingAsync(id, T0, default)).Count);
        }

        return id;
    }

    private async Task<List<SendFailure>> ReadAllFailuresAsync(Guid id)
    {
        var all = new List<SendFailure>();
        await foreach (var f in Campaigns.ReadFailuresAsync(id, default))
        {
            all.Add(f);
        }

        return all;
    }
}
