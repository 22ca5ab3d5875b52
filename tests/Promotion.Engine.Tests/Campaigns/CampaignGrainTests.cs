using System.Collections.Concurrent;
using Orleans;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Delivery;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Campaigns;

/// <summary>Push campaigns on campaign, shard, push and send-limit grains, on an in-process cluster.</summary>
public sealed class CampaignGrainTests
{
    private static readonly string[] Worker = ["worker"];
    private static readonly string[] Api = ["api"];

    private static readonly Dictionary<string, string?> SmallPages = new() { ["Shards:PageSize"] = "50", ["Shards:ConcurrentShards"] = "2" };

    [Fact]
    public async Task Every_member_gets_one_push_the_counts_add_up_and_shards_run_on_both_worker_silos_but_not_on_the_api_silo()
    {
        await using var engine = await EngineCluster.StartAsync(2_000, SmallPages, siloRoles: [Api, Worker, Worker]);

        var campaign = await engine.RunAsync(Draft(shardSize: 100));

        Assert.Equal(CampaignStatus.Completed, campaign.Status);
        Assert.Equal((2_000L, 2_000L, 0L, 0L), (campaign.AudienceSize, campaign.Sent, campaign.Failed, campaign.Skipped));
        Assert.Equal(2_000, engine.Sends.Count);
        Assert.Equal(2_000, engine.Sends.Select(s => s.IdempotencyKey).Distinct().Count());
        var shards = await engine.Get<IShardStore>().ListAsync(campaign.Id, 0, 100, default);
        Assert.Equal(20, shards.Count);
        Assert.All(shards, s => Assert.Equal((ShardStatus.Done, 100L), (s.Status, s.Sent)));
        var silos = shards.Select(s => s.Silo).Distinct().ToList();
        var workers = engine.Cluster.Silos.Where(s => engine.Cluster.RolesOf(s.SiloAddress).SequenceEqual(Worker)).Select(s => s.Name).ToList();
        Assert.Equal(workers.Order(), silos.Order());
    }

    [Fact]
    public async Task A_campaign_starts_a_bounded_number_of_shards_at_a_time_however_many_it_has()
    {
        await using var engine = await EngineCluster.StartAsync(3_000, SmallPages);
        AnswerAfter(engine, TimeSpan.FromMilliseconds(2));
        var shards = engine.Get<IShardStore>();
        var id = (await engine.Get<CampaignCommands>().CreatePushAsync(Draft(shardSize: 10), default)).Id;

        // One worker silo with two slots: the campaign keeps 2 x 2 = 4 of its 300 shards started.
        var most = 0;
        var campaign = await engine.WaitForAsync(id, c =>
        {
            most = Math.Max(most, shards.ListStartedAsync(id, default).GetAwaiter().GetResult().Count);
            return CampaignStateMachine.IsTerminal(c.Status);
        }, "to end");

        Assert.Equal((CampaignStatus.Completed, 3_000L), (campaign.Status, campaign.Sent));
        Assert.InRange(most, 1, 4);
    }

    [Fact]
    public async Task A_paused_campaign_stops_at_page_boundaries_and_resumes_from_its_checkpoints_without_sending_anyone_twice()
    {
        await using var engine = await EngineCluster.StartAsync(2_000, SmallPages);
        AnswerAfter(engine, TimeSpan.FromMilliseconds(5));
        var commands = engine.Get<CampaignCommands>();
        var id = (await commands.CreatePushAsync(Draft(shardSize: 100), default)).Id;
        await Eventually.TrueAsync(() => engine.Sends.Count > 200, TimeSpan.FromSeconds(30), "some sends");

        Assert.Equal(CampaignStatus.Paused, (await commands.PauseAsync(id, default)).Status);
        // Every shard gives itself back at its next page boundary; then nothing is sent.
        await Eventually.TrueAsync(async () => (await engine.Get<IShardStore>().ListAsync(id, 0, 100, default)).All(s => s.Status != ShardStatus.Running),
            TimeSpan.FromSeconds(30), "no shard running");
        var whilePaused = engine.Sends.Count;
        var paused = (await engine.Get<ICampaignStore>().GetAsync(id, default))!;
        Assert.True(paused.Sent < 2_000, $"{paused.Sent} sent before the pause took effect");

        Assert.Equal(CampaignStatus.Running, (await commands.ResumeAsync(id, default)).Status);
        var done = await engine.WaitForEndAsync(id);

        Assert.True(whilePaused < 2_000);
        Assert.Equal((CampaignStatus.Completed, 2_000L), (done.Status, done.Sent));
        Assert.Equal(2_000, engine.Sends.Count);
        Assert.Equal(2_000, engine.Sends.Select(s => s.IdempotencyKey).Distinct().Count());
        await Assert.ThrowsAsync<IllegalTransitionException>(() => commands.ResumeAsync(id, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => commands.PauseAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task A_cancelled_campaign_ends_every_shard_and_sends_no_more()
    {
        await using var engine = await EngineCluster.StartAsync(2_000, SmallPages);
        AnswerAfter(engine, TimeSpan.FromMilliseconds(5));
        var commands = engine.Get<CampaignCommands>();
        var id = (await commands.CreatePushAsync(Draft(shardSize: 100), default)).Id;
        await Eventually.TrueAsync(() => engine.Sends.Count > 100, TimeSpan.FromSeconds(30), "some sends");

        Assert.Equal(CampaignStatus.Cancelled, (await commands.CancelAsync(id, default)).Status);
        await Eventually.TrueAsync(async () => (await engine.Get<IShardStore>().ListAsync(id, 0, 100, default)).All(s => CampaignStateMachine.IsTerminal(s.Status)),
            TimeSpan.FromSeconds(30), "every shard ended");
        var shards = await engine.Get<IShardStore>().ListAsync(id, 0, 100, default);
        Assert.Contains(shards, s => s.Status == ShardStatus.Cancelled);
        var campaign = (await engine.Get<ICampaignStore>().GetAsync(id, default))!;
        Assert.Equal(CampaignStatus.Cancelled, campaign.Status);
        // The campaign's counters are the shards' (the in-flight pages were checkpointed).
        Assert.Equal(shards.Sum(s => s.Sent), campaign.Sent);
        Assert.Equal(campaign.Sent, engine.Sends.Count);
        Assert.True(campaign.Sent < 2_000);
    }

    [Fact]
    public async Task When_a_worker_silo_dies_its_shards_resume_on_the_others_from_their_checkpoints()
    {
        await using var engine = await EngineCluster.StartAsync(3_000, SmallPages, siloRoles: [Worker, Worker, Worker]);
        AnswerAfter(engine, TimeSpan.FromMilliseconds(2));
        var id = (await engine.Get<CampaignCommands>().CreatePushAsync(Draft(shardSize: 100), default)).Id;
        await Eventually.TrueAsync(() => engine.Sends.Count > 600, TimeSpan.FromSeconds(30), "a fifth of the members sent");

        var victim = engine.Cluster.Silos[^1];
        await engine.Cluster.KillSiloAsync(victim);
        var campaign = await engine.WaitForEndAsync(id, TimeSpan.FromSeconds(120));

        Assert.Equal((CampaignStatus.Completed, 3_000L), (campaign.Status, campaign.Sent));
        Assert.Equal(3_000, engine.Sends.Select(s => s.IdempotencyKey).Distinct().Count());
        // At most the pages in flight on the dead silo were sent again: its two slots' pages.
        var resent = engine.Sends.Count - 3_000;
        Assert.InRange(resent, 0, 2 * 50);
        var shards = await engine.Get<IShardStore>().ListAsync(id, 0, 100, default);
        Assert.DoesNotContain(shards, s => s.Silo == victim.Name && s.Status == ShardStatus.Running);
    }

    [Fact]
    public async Task When_the_silo_of_the_campaign_grain_dies_a_live_worker_takes_the_campaign_over_and_it_completes()
    {
        await using var engine = await EngineCluster.StartAsync(3_000, SmallPages, siloRoles: [Api, Worker, Worker, Worker]);
        AnswerAfter(engine, TimeSpan.FromMilliseconds(2));
        var id = (await engine.Get<CampaignCommands>().CreatePushAsync(Draft(shardSize: 100), default)).Id;
        await Eventually.TrueAsync(() => engine.Sends.Count > 600, TimeSpan.FromSeconds(30), "a fifth of the members sent");

        // The campaign grain's own silo dies with some of the shards: no grain is left to restart them,
        // so the live workers' keepers must bring the campaign back.
        var at = await engine.Cluster.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(engine.Cluster.Grains.GetGrain<ICampaignGrain>(id));
        var victim = engine.Cluster.Silos.Single(s => s.SiloAddress.Equals(at));
        await engine.Cluster.KillSiloAsync(victim);
        var campaign = await engine.WaitForEndAsync(id, TimeSpan.FromSeconds(120));

        Assert.Equal((CampaignStatus.Completed, 3_000L), (campaign.Status, campaign.Sent));
        Assert.Equal(3_000, engine.Sends.Select(s => s.IdempotencyKey).Distinct().Count());
        Assert.InRange(engine.Sends.Count - 3_000, 0, 2 * 50);
    }

    [Fact]
    public async Task A_shard_whose_wake_fails_is_woken_again_and_its_campaign_completes()
    {
        // The first wakes of shard 0 fail as a call to an activation on a silo just declared dead does
        // (the directory still names it); nothing else would start that shard again.
        var refusals = new RefuseFirstWakes("0", times: 3);
        await using var engine = await EngineCluster.StartAsync(1_000, SmallPages, siloRoles: [Worker, Worker], replace: services =>
            services.AddSingleton<IOutgoingGrainCallFilter>(refusals));

        var campaign = await engine.RunAsync(Draft(shardSize: 100));

        Assert.True(refusals.Calls > 3, $"shard 0 was woken {refusals.Calls} times");
        Assert.Equal((CampaignStatus.Completed, 1_000L), (campaign.Status, campaign.Sent));
        Assert.Equal(1_000, engine.Sends.Select(s => s.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task A_throttled_campaign_holds_no_slot_a_new_campaign_could_use()
    {
        await using var engine = await EngineCluster.StartAsync(2_000, SmallPages);
        var commands = engine.Get<CampaignCommands>();
        // 2,000 members at 100/s: twenty seconds, holding both slots if it could.
        var slow = (await commands.CreatePushAsync(Draft(shardSize: 100, limit: 100), default)).Id;
        await Eventually.TrueAsync(() => engine.Sends.Count > 50, TimeSpan.FromSeconds(30), "the throttled campaign to send");

        var quick = await engine.RunAsync(Draft(shardSize: 1_000, name: "quick"));
        var throttled = (await engine.Get<ICampaignStore>().GetAsync(slow, default))!;
        await commands.CancelAsync(slow, default);
        // Its page in flight ends it (a page still waiting on the limiter when the cluster stops would be abandoned).
        await engine.WaitForAsync(slow, _ => engine.Get<IShardStore>().ListStartedAsync(slow, default).GetAwaiter().GetResult().Count == 0, "every shard to end");

        Assert.Equal((CampaignStatus.Completed, 2_000L), (quick.Status, quick.Sent));
        Assert.Equal(CampaignStatus.Running, throttled.Status);
        Assert.True(throttled.Sent < 2_000, $"{throttled.Sent} sent");
    }

    [Fact]
    public async Task A_send_limit_holds_across_silos_sharing_it()
    {
        await using var engine = await EngineCluster.StartAsync(1_000, SmallPages, siloRoles: [Worker, Worker]);
        var at = new ConcurrentQueue<DateTimeOffset>();
        engine.Sender.Respond = (_, _) =>
        {
            at.Enqueue(TimeProvider.System.GetUtcNow());
            return Task.FromResult(SendResult.Sent);
        };

        var campaign = await engine.RunAsync(Draft(shardSize: 100, limit: 200));

        Assert.Equal(1_000, campaign.Sent);
        // 1,000 sends at 200/s take at least (1,000 - a twentieth's burst) / 200 s: about five seconds, never much less.
        var span = at.Max() - at.Min();
        Assert.True(span >= TimeSpan.FromSeconds((1_000 - 10 - 200) / 200.0), $"1,000 sends took {span.TotalSeconds:0.0} s");
    }

    // A sender that takes a moment per send, as a real one does, so a campaign runs long enough to steer.
    private static void AnswerAfter(EngineCluster engine, TimeSpan latency) =>
        engine.Sender.Respond = async (_, ct) =>
        {
            await Task.Delay(latency, ct);
            return SendResult.Sent;
        };

    private static CampaignDraft Draft(int shardSize, int? limit = null, string? segment = "gamers", string name = "sale") =>
        new(name, segment, "Sale", "20% off", ["inbox"], null, shardSize, limit);

    // Fails the first wakes of one shard with what a call to a dead silo's activation gets.
    private sealed class RefuseFirstWakes(string shardNo, int times) : IOutgoingGrainCallFilter
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.Grain is IShardGrain shard && context.InterfaceMethod.Name == nameof(IShardGrain.WakeAsync))
            {
                shard.GetPrimaryKey(out var no);
                if (no == shardNo && Interlocked.Increment(ref _calls) <= times)
                {
                    throw new SiloUnavailableException("the shard's silo was declared dead");
                }
            }

            await context.Invoke();
        }
    }
}
