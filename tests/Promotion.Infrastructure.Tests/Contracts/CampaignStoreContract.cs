using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every campaign and shard store must do; run against PostgreSQL and the in-memory one.</summary>
public abstract class CampaignStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

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
    public async Task The_plan_spans_traceparent_is_kept_and_a_later_plan_replaces_it()
    {
        var created = await Campaigns.CreateAsync(Draft("traced"), T0, default);
        Assert.Null(created.TraceParent);

        await Campaigns.SetTraceParentAsync(created.Id, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", default);
        await Campaigns.SetTraceParentAsync(created.Id, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", default);

        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", (await Campaigns.GetAsync(created.Id, default))!.TraceParent);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Campaigns.SetTraceParentAsync(Guid.NewGuid(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", default));
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
        Assert.Null(await Shards.StartAsync(new ShardRef(unknown, 0), "a", default));
        Assert.Equal(0, await Shards.CancelPendingAsync(unknown, default));
        Assert.Empty(await Shards.TakeUnstartedAsync(unknown, 10, T0, default));
        Assert.Empty(await Shards.ListStartedAsync(unknown, default));
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

        // Planning again (a campaign grain that died while planning) after one shard was started and checkpointed rewrites nothing.
        await Campaigns.TransitionAsync(id, CampaignTrigger.FinishPlanning, T0, default);
        var shard = new ShardRef(id, 1);
        var epoch = (await Shards.StartAsync(shard, "a", default))!.Epoch;
        Assert.True(await Shards.CheckpointAsync(Page(shard, epoch, 260, sent: 5), default));
        await Shards.AggregateAsync(id, T0, default);
        await Campaigns.SaveShardsAsync(id, ranges, 240, default);

        Assert.Equal(new ShardInfo(1, ShardStatus.Running, 200, 350, 260, 5, 0, 0, "a", 1), (await Shards.ListAsync(id, 1, 1, default)).Single());
        var again = await Campaigns.GetAsync(id, default);
        Assert.Equal((240L, 5L), (again!.AudienceSize, again.Sent));
        Assert.Equal(new ShardCounts(3, 2, 1, 0, 0, 0), again.Shards);
    }

    [Fact]
    public async Task Each_start_takes_the_shard_under_a_new_epoch_and_the_older_epoch_can_write_nothing()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var shard = new ShardRef(id, 1);

        var first = await Shards.StartAsync(shard, "silo-a", default);
        Assert.Equal(new ShardWork(id, 1, 100, 200, 99, 1, 1), first);
        Assert.True(await Shards.CheckpointAsync(Page(shard, first!.Epoch, 150, sent: 40), default));

        // A second activation (silo-a died, or Orleans briefly ran two): it resumes from the checkpoint.
        var second = await Shards.StartAsync(shard, "silo-b", default);
        Assert.Equal(new ShardWork(id, 1, 100, 200, 150, 2, 2), second);

        // The first activation has lost everything: checkpoint, release and end do nothing.
        Assert.False(await Shards.CheckpointAsync(Page(shard, first.Epoch, 199, sent: 49, failures: [Failure(160, Channel.Sms, "x")]), default));
        await Shards.ReleaseAsync(shard, first.Epoch, default);
        Assert.False(await Shards.EndAsync(shard, first.Epoch, ShardTrigger.Finish, default));
        Assert.Equal(new ShardInfo(1, ShardStatus.Running, 100, 200, 150, 40, 0, 0, "silo-b", 2), (await Shards.ListAsync(id, 1, 1, default)).Single());
        Assert.Empty(await ReadAllFailuresAsync(id));
    }

    [Fact]
    public async Task A_checkpoint_never_moves_the_cursor_back_nor_counts_a_page_twice()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        var work = await Shards.StartAsync(shard, "a", default);
        Assert.True(await Shards.CheckpointAsync(Page(shard, work!.Epoch, 50, sent: 51), default));

        // The same page again (a retried checkpoint that had landed) and an older one: refused.
        Assert.False(await Shards.CheckpointAsync(Page(shard, work.Epoch, 50, sent: 51), default));
        Assert.False(await Shards.CheckpointAsync(Page(shard, work.Epoch, 20, sent: 21), default));
        Assert.True(await Shards.CheckpointAsync(Page(shard, work.Epoch, 99, sent: 49), default));

        Assert.Equal(new ShardInfo(0, ShardStatus.Running, 0, 100, 99, 100, 0, 0, "a", 1), (await Shards.ListAsync(id, 0, 1, default)).Single());
        Assert.Equal(CampaignStatus.Running, await Shards.AggregateAsync(id, T0, default));
        Assert.Equal(100, (await Campaigns.GetAsync(id, default))!.Sent);
    }

    [Fact]
    public async Task Of_concurrent_starts_the_last_one_owns_the_shard()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);

        var works = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => Shards.StartAsync(shard, "silo-" + i, default))));

        Assert.Equal(Enumerable.Range(1, 10).Select(e => (long)e), works.Select(w => w!.Epoch).Order());
        var owner = works.MaxBy(w => w!.Epoch)!;
        var info = (await Shards.ListAsync(id, 0, 1, default)).Single();
        Assert.Equal((ShardStatus.Running, 10), (info.Status, info.Attempts));
        Assert.Single(works, w => w!.Epoch == owner.Epoch);
        Assert.All(works.Where(w => w!.Epoch != owner.Epoch), w => Assert.False(Shards.CheckpointAsync(Page(shard, w!.Epoch, 10, sent: 11), default).GetAwaiter().GetResult()));
        Assert.True(await Shards.CheckpointAsync(Page(shard, owner.Epoch, 10, sent: 11), default));
    }

    [Fact]
    public async Task Starting_needs_an_open_shard()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var done = new ShardRef(id, 0);
        var work = await Shards.StartAsync(done, "a", default);
        Assert.True(await Shards.EndAsync(done, work!.Epoch, ShardTrigger.Finish, default));

        Assert.Null(await Shards.StartAsync(done, "b", default));
        Assert.Null(await Shards.StartAsync(new ShardRef(id, 7), "b", default));
        Assert.Equal(new ShardInfo(0, ShardStatus.Done, 0, 100, -1, 0, 0, 0, "a", 1), (await Shards.ListAsync(id, 0, 1, default)).Single());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Shards.EndAsync(new ShardRef(id, 1), 1, ShardTrigger.Release, default));
    }

    [Fact]
    public async Task A_checkpoint_adds_the_page_to_its_shard_and_records_failures_and_reasons_and_aggregation_sums_them_into_the_campaign()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var s0 = new ShardRef(id, 0);
        var s1 = new ShardRef(id, 1);
        var e0 = (await Shards.StartAsync(s0, "a", default))!.Epoch;
        var e1 = (await Shards.StartAsync(s1, "b", default))!.Epoch;

        Assert.True(await Shards.CheckpointAsync(Page(s0, e0, 40, sent: 30, skipped: 2,
            failures: [Failure(12, Channel.Sms, "invalid number"), Failure(12, Channel.App, "token expired"), Failure(3, Channel.Email, "bounced")],
            reasons: [new(DeliveryOutcome.Failed, "invalid number", 1), new(DeliveryOutcome.Failed, "bounced", 1), new(DeliveryOutcome.Skipped, "no sms contact", 2)]),
            default));
        Assert.True(await Shards.CheckpointAsync(Page(s1, e1, 130, sent: 20, skipped: 1,
            failures: [Failure(120, Channel.Sms, "invalid number")],
            reasons: [new(DeliveryOutcome.Failed, "invalid number", 1), new(DeliveryOutcome.Skipped, "no sms contact", 1)]),
            default));
        Assert.True(await Shards.CheckpointAsync(Page(s0, e0, 99, sent: 10), default));

        var infos = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal(new ShardInfo(0, ShardStatus.Running, 0, 100, 99, 40, 2, 2, "a", 1), infos[0]);
        Assert.Equal(new ShardInfo(1, ShardStatus.Running, 100, 200, 130, 20, 1, 1, "b", 1), infos[1]);
        // The campaign's counters are the campaign grain's to write: they move when it aggregates.
        Assert.Equal(0, (await Campaigns.GetAsync(id, default))!.Sent);
        Assert.Equal(CampaignStatus.Running, await Shards.AggregateAsync(id, T0.AddSeconds(2), default));
        var campaign = await Campaigns.GetAsync(id, default);
        Assert.Equal((60L, 3L, 3L), (campaign!.Sent, campaign.Failed, campaign.Skipped));

        var failures = await ReadAllFailuresAsync(id);
        Assert.Equal(
            [(3L, Channel.Email, "bounced"), (12L, Channel.App, "token expired"), (12L, Channel.Sms, "invalid number"), (120L, Channel.Sms, "invalid number")],
            failures.Select(f => (f.MemberId, f.Channel, f.Reason)));
        Assert.All(failures, f => Assert.Equal(T0.AddSeconds(1), f.At));
        Assert.Equal(
            [new ReasonCount(DeliveryOutcome.Skipped, "no sms contact", 3), new ReasonCount(DeliveryOutcome.Failed, "invalid number", 2), new ReasonCount(DeliveryOutcome.Failed, "bounced", 1)],
            await Campaigns.ReadReasonsAsync(id, default));
    }

    [Fact]
    public async Task A_re_sent_page_replaces_its_failure_rows_instead_of_adding_them()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        var first = await Shards.StartAsync(shard, "a", default);
        Assert.True(await Shards.CheckpointAsync(Page(shard, first!.Epoch, 10, sent: 9, failures: [Failure(5, Channel.Sms, "timeout")]), default));

        // Its silo died before checkpointing the next page; the next activation re-sends member 5 too.
        var second = await Shards.StartAsync(shard, "b", default);
        Assert.True(await Shards.CheckpointAsync(Page(shard, second!.Epoch, 20, sent: 9,
            failures: [Failure(5, Channel.Sms, "timeout"), Failure(5, Channel.Sms, "rejected"), Failure(15, Channel.Email, "bounced")]), default));

        var failures = await ReadAllFailuresAsync(id);
        Assert.Equal([(5L, Channel.Sms, "rejected"), (15L, Channel.Email, "bounced")], failures.Select(f => (f.MemberId, f.Channel, f.Reason)));
    }

    [Fact]
    public async Task A_checkpoint_of_a_shard_not_started_under_that_epoch_writes_nothing()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var started = new ShardRef(id, 0);
        var pending = new ShardRef(id, 1);
        var epoch = (await Shards.StartAsync(started, "a", default))!.Epoch;

        var stray = Page(started, epoch + 1, 50, sent: 10, skipped: 1, failures: [Failure(7, Channel.App, "x")], reasons: [new(DeliveryOutcome.Failed, "x", 1)]);
        Assert.False(await Shards.CheckpointAsync(stray, default));
        Assert.False(await Shards.CheckpointAsync(stray with { Shard = pending, Epoch = 0 }, default));
        Assert.False(await Shards.CheckpointAsync(stray with { Shard = new ShardRef(id, 9), Epoch = epoch }, default));

        await Shards.AggregateAsync(id, T0, default);
        var campaign = await Campaigns.GetAsync(id, default);
        Assert.Equal((0L, 0L, 0L), (campaign!.Sent, campaign.Failed, campaign.Skipped));
        Assert.Empty(await ReadAllFailuresAsync(id));
        Assert.Empty(await Campaigns.ReadReasonsAsync(id, default));
        var infos = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal(new ShardInfo(0, ShardStatus.Running, 0, 100, -1, 0, 0, 0, "a", 1), infos[0]);
        Assert.Equal(new ShardInfo(1, ShardStatus.Pending, 100, 200, 99, 0, 0, 0, null, 0), infos[1]);
    }

    [Fact]
    public async Task Campaign_counts_equal_the_sum_of_shard_counts_after_concurrent_checkpoints()
    {
        var id = await RunningCampaignAsync(shards: 6);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(no => Task.Run(async () =>
        {
            var shard = new ShardRef(id, no);
            var epoch = (await Shards.StartAsync(shard, "silo-" + no, default))!.Epoch;
            for (var page = 0; page < 10; page++)
            {
                var first = (no * 100L) + (page * 10);
                Assert.True(await Shards.CheckpointAsync(
                    Page(shard, epoch, first + 9, sent: 7, skipped: 1, failures: [Failure(first, Channel.Sms, "busy"), Failure(first + 1, Channel.Sms, "busy")],
                        reasons: [new(DeliveryOutcome.Failed, "busy", 2), new(DeliveryOutcome.Skipped, "capped", 1)]),
                    default));
                await Shards.AggregateAsync(id, T0, default);
            }
        })));

        await Shards.AggregateAsync(id, T0, default);
        var campaign = await Campaigns.GetAsync(id, default);
        var infos = await Shards.ListAsync(id, 0, 10, default);
        Assert.Equal((420L, 120L, 60L), (campaign!.Sent, campaign.Failed, campaign.Skipped));
        Assert.Equal((infos.Sum(s => s.Sent), infos.Sum(s => s.Failed), infos.Sum(s => s.Skipped)), (campaign.Sent, campaign.Failed, campaign.Skipped));
        Assert.Equal(120, (await ReadAllFailuresAsync(id)).Count);
        Assert.Equal([new ReasonCount(DeliveryOutcome.Failed, "busy", 120), new ReasonCount(DeliveryOutcome.Skipped, "capped", 60)], await Campaigns.ReadReasonsAsync(id, default));
    }

    [Fact]
    public async Task A_released_shard_is_pending_at_its_checkpoint_and_still_started()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        var epoch = (await Shards.StartAsync(shard, "a", default))!.Epoch;
        Assert.True(await Shards.CheckpointAsync(Page(shard, epoch, 33, sent: 34), default));

        await Shards.ReleaseAsync(shard, epoch + 1, default);
        Assert.Equal(ShardStatus.Running, (await Shards.ListAsync(id, 0, 1, default)).Single().Status);
        await Shards.ReleaseAsync(shard, epoch, default);
        Assert.Equal(new ShardInfo(0, ShardStatus.Pending, 0, 100, 33, 34, 0, 0, null, 1), (await Shards.ListAsync(id, 0, 1, default)).Single());
        Assert.Equal([0], await Shards.ListStartedAsync(id, default));
        Assert.False(await Shards.CheckpointAsync(Page(shard, epoch, 50, sent: 17), default));

        // Started again (resume, or another silo): from the checkpoint.
        Assert.Equal(new ShardWork(id, 0, 0, 100, 33, 2, epoch + 1), await Shards.StartAsync(shard, "b", default));
    }

    [Fact]
    public async Task Aggregating_after_the_last_shard_ended_completes_the_campaign_with_the_members_actually_read()
    {
        var id = await RunningCampaignAsync(shards: 2, audienceSize: 200);
        var s0 = new ShardRef(id, 0);
        var s1 = new ShardRef(id, 1);
        var e0 = (await Shards.StartAsync(s0, "a", default))!.Epoch;
        var e1 = (await Shards.StartAsync(s1, "b", default))!.Epoch;
        await Shards.CheckpointAsync(Page(s0, e0, 99, sent: 80, skipped: 5, failures: [Failure(4, Channel.App, "gone")]), default);
        await Shards.CheckpointAsync(Page(s1, e1, 199, sent: 70, skipped: 3), default);
        var version = (await Campaigns.GetAsync(id, default))!.Version;

        Assert.True(await Shards.EndAsync(s0, e0, ShardTrigger.Finish, default));
        Assert.Equal(CampaignStatus.Running, await Shards.AggregateAsync(id, T0.AddMinutes(1), default));
        var midway = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Running, 200L, version, (DateTimeOffset?)null), (midway!.Status, midway.AudienceSize, midway.Version, midway.CompletedAt));
        Assert.Equal(new ShardCounts(2, 0, 1, 1, 0, 0), midway.Shards);

        Assert.True(await Shards.EndAsync(s1, e1, ShardTrigger.Finish, default));
        Assert.Equal(CampaignStatus.Completed, await Shards.AggregateAsync(id, T0.AddMinutes(2), default));
        var done = await Campaigns.GetAsync(id, default);
        Assert.Equal(CampaignStatus.Completed, done!.Status);
        Assert.Equal(159, done.AudienceSize);
        Assert.Equal(done.Sent + done.Failed + done.Skipped, done.AudienceSize);
        Assert.Equal(T0.AddMinutes(2), done.CompletedAt);
        Assert.Equal(version + 1, done.Version);
        Assert.Equal(new ShardCounts(2, 0, 0, 2, 0, 0), done.Shards);
        // An ended shard keeps the silo that ended it.
        Assert.Equal(["a", "b"], (await Shards.ListAsync(id, 0, 10, default)).Select(s => s.Silo));
        Assert.Equal(CampaignStatus.Completed, await Shards.AggregateAsync(id, T0.AddMinutes(3), default));
        Assert.Equal(version + 1, (await Campaigns.GetAsync(id, default))!.Version);
    }

    [Fact]
    public async Task A_failed_shard_ends_the_campaign_failed_once_every_shard_has_ended()
    {
        var id = await RunningCampaignAsync(shards: 2);
        var s0 = new ShardRef(id, 0);
        var s1 = new ShardRef(id, 1);
        var e0 = (await Shards.StartAsync(s0, "a", default))!.Epoch;
        var e1 = (await Shards.StartAsync(s1, "b", default))!.Epoch;
        await Shards.CheckpointAsync(Page(s1, e1, 150, sent: 50), default);

        Assert.True(await Shards.EndAsync(s0, e0, ShardTrigger.Fail, default));
        Assert.Equal(CampaignStatus.Running, await Shards.AggregateAsync(id, T0.AddMinutes(1), default));
        Assert.True(await Shards.EndAsync(s1, e1, ShardTrigger.Finish, default));
        Assert.Equal(CampaignStatus.Failed, await Shards.AggregateAsync(id, T0.AddMinutes(2), default));

        var failed = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Failed, 50L, T0.AddMinutes(2)), (failed!.Status, failed.AudienceSize, failed.CompletedAt));
        Assert.Equal(new ShardCounts(2, 0, 0, 1, 1, 0), failed.Shards);
    }

    [Fact]
    public async Task Aggregation_completes_only_a_running_campaign()
    {
        var id = await RunningCampaignAsync(shards: 1);
        var shard = new ShardRef(id, 0);
        var epoch = (await Shards.StartAsync(shard, "a", default))!.Epoch;
        await Shards.CheckpointAsync(Page(shard, epoch, 49, sent: 50), default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.Pause, T0.AddSeconds(1), default);
        Assert.True(await Shards.EndAsync(shard, epoch, ShardTrigger.Finish, default));

        Assert.Equal(CampaignStatus.Paused, await Shards.AggregateAsync(id, T0.AddSeconds(2), default));
        var paused = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Paused, 50L, (DateTimeOffset?)null), (paused!.Status, paused.Sent, paused.CompletedAt));

        // Resumed with nothing left to send: the next aggregation completes it.
        await Campaigns.TransitionAsync(id, CampaignTrigger.Resume, T0.AddSeconds(3), default);
        Assert.Equal(CampaignStatus.Completed, await Shards.AggregateAsync(id, T0.AddSeconds(4), default));
        var done = await Campaigns.GetAsync(id, default);
        Assert.Equal((CampaignStatus.Completed, 50L, T0.AddSeconds(4)), (done!.Status, done.AudienceSize, done.CompletedAt));

        var cancelled = await RunningCampaignAsync(shards: 1);
        await Campaigns.TransitionAsync(cancelled, CampaignTrigger.Cancel, T0.AddSeconds(5), default);
        Assert.Equal(CampaignStatus.Cancelled, await Shards.AggregateAsync(cancelled, T0.AddMinutes(1), default));
        Assert.Equal(T0.AddSeconds(5), (await Campaigns.GetAsync(cancelled, default))!.CompletedAt);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Shards.AggregateAsync(Guid.NewGuid(), T0, default));
    }

    [Fact]
    public async Task Cancelling_pending_shards_spares_running_and_ended_shards()
    {
        var id = await RunningCampaignAsync(shards: 5);
        await Shards.StartAsync(new ShardRef(id, 1), "live", default);
        var released = new ShardRef(id, 2);
        await Shards.ReleaseAsync(released, (await Shards.StartAsync(released, "paused", default))!.Epoch, default);
        var done = new ShardRef(id, 3);
        await Shards.EndAsync(done, (await Shards.StartAsync(done, "a", default))!.Epoch, ShardTrigger.Finish, default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.Cancel, T0.AddMinutes(1), default);

        Assert.Equal(3, await Shards.CancelPendingAsync(id, default));

        List<(ShardStatus, string?)> expected =
            [(ShardStatus.Cancelled, null), (ShardStatus.Running, "live"), (ShardStatus.Cancelled, null), (ShardStatus.Done, "a"), (ShardStatus.Cancelled, null)];
        Assert.Equal(expected, (await Shards.ListAsync(id, 0, 10, default)).Select(s => (s.Status, s.Silo)));
        Assert.Equal(0, await Shards.CancelPendingAsync(id, default));
        Assert.Equal(new ShardCounts(5, 0, 1, 1, 0, 3), (await Campaigns.GetAsync(id, default))!.Shards);
        Assert.Equal([1], await Shards.ListStartedAsync(id, default));
    }

    [Fact]
    public async Task Unstarted_shards_are_taken_a_bounded_number_at_a_time_in_order_and_stay_started_until_they_end()
    {
        var id = await RunningCampaignAsync(shards: 5, take: false);

        Assert.Equal([0, 1], await Shards.TakeUnstartedAsync(id, 2, T0, default));
        Assert.Equal([2, 3], await Shards.TakeUnstartedAsync(id, 2, T0, default));
        Assert.Equal([0, 1, 2, 3], await Shards.ListStartedAsync(id, default));

        var first = new ShardRef(id, 0);
        await Shards.EndAsync(first, (await Shards.StartAsync(first, "a", default))!.Epoch, ShardTrigger.Finish, default);
        await Shards.StartAsync(new ShardRef(id, 1), "a", default);
        Assert.Equal([1, 2, 3], await Shards.ListStartedAsync(id, default));
        Assert.Equal([4], await Shards.TakeUnstartedAsync(id, 10, T0, default));
        Assert.Empty(await Shards.TakeUnstartedAsync(id, 10, T0, default));
        Assert.Empty(await Shards.TakeUnstartedAsync(Guid.NewGuid(), 10, T0, default));
    }

    [Fact]
    public async Task Concurrent_takes_never_hand_out_the_same_shard()
    {
        var id = await RunningCampaignAsync(shards: 60, take: false);

        var takes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var mine = new List<int>();
            while (true)
            {
                var taken = await Shards.TakeUnstartedAsync(id, 7, T0, default);
                if (taken.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(taken);
            }
        })));

        Assert.Equal(Enumerable.Range(0, 60), takes.SelectMany(t => t).Order());
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
        await Shards.CheckpointAsync(Page(shard, (await Shards.StartAsync(shard, "a", default))!.Epoch, 250, sent: 11), default);
        await Shards.AggregateAsync(id, T0, default);

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
        var epoch = (await Shards.StartAsync(shard, "a", default))!.Epoch;
        // Members 10, 20, ..., 70 failed; the even tens on two channels.
        var failures = Enumerable.Range(1, 7).SelectMany(i => i % 2 == 0
            ? new[] { Failure(i * 10, Channel.Sms, "busy"), Failure(i * 10, Channel.App, "busy") }
            : [Failure(i * 10, Channel.Email, "bounced")]).ToList();
        await Shards.CheckpointAsync(Page(shard, epoch, 999, sent: 0, failures: failures), default);

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
        ShardRef shard, long epoch, long cursor, int sent, int skipped = 0,
        IReadOnlyList<SendFailure>? failures = null, IReadOnlyList<ReasonCount>? reasons = null) =>
        new(shard, epoch, cursor, sent, failures?.Select(f => f.MemberId).Distinct().Count() ?? 0, skipped, failures ?? [], reasons ?? []);

    private async Task<Guid> PlanningCampaignAsync()
    {
        var id = (await Campaigns.CreateAsync(Draft("sharded"), T0, default)).Id;
        await Campaigns.TransitionAsync(id, CampaignTrigger.StartPlanning, T0, default);
        return id;
    }

    // Shards [i * width, (i + 1) * width), Running, every shard started by its campaign at T0 unless told otherwise.
    private async Task<Guid> RunningCampaignAsync(int shards, long width = 100, long? audienceSize = null, bool take = true)
    {
        var id = await PlanningCampaignAsync();
        await Campaigns.SaveShardsAsync(id, [.. Enumerable.Range(0, shards).Select(i => new ShardRange(i, i * width, (i + 1) * width))], audienceSize ?? shards * width, default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.FinishPlanning, T0, default);
        if (take)
        {
            Assert.Equal(shards, (await Shards.TakeUnstartedAsync(id, shards, T0, default)).Count);
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
