using Microsoft.Extensions.Time.Testing;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Stats;

/// <summary>What every stats reader must answer; run against PostgreSQL and the in-memory store.</summary>
public abstract class CampaignStatsContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(T0);

    protected abstract ICampaignStore Campaigns { get; }

    protected abstract IShardStore Shards { get; }

    protected abstract ICampaignStatsReader Stats { get; }

    [Fact]
    public async Task Totals_count_campaigns_by_status_and_only_the_open_campaigns_shards_and_progress()
    {
        await Campaigns.CreateAsync(Draft("waiting"), T0, default);
        var running = await RunningAsync("running", shards: 4, T0.AddMinutes(1));
        await FinishAsync(running, 0, sent: 8, failed: 2);
        await Shards.StartAsync(new ShardRef(running, 1), "w", default);
        var ended = await RunningAsync("ended", shards: 3, T0.AddMinutes(2));
        for (var n = 0; n < 3; n++)
        {
            await FinishAsync(ended, n, sent: 10, failed: 0);
        }

        var totals = await Stats.ReadTotalsAsync(default);

        Assert.Equal(new Dictionary<CampaignStatus, long> { [CampaignStatus.Pending] = 1, [CampaignStatus.Running] = 1, [CampaignStatus.Completed] = 1 },
            totals.ByStatus.OrderBy(s => s.Key).ToDictionary());
        Assert.Equal(new ShardCounts(4, 2, 1, 1, 0, 0), totals.OpenShards);
        Assert.Equal(40, totals.OpenAudience);
        Assert.Equal(10, totals.OpenProcessed);
    }

    [Fact]
    public async Task Recent_progress_lists_open_campaigns_running_first_and_those_ended_since_the_cutoff()
    {
        var pending = (await Campaigns.CreateAsync(Draft("pending"), T0.AddMinutes(5), default)).Id;
        var running = await RunningAsync("running", shards: 2, T0);
        await FinishAsync(running, 0, sent: 7, failed: 3);
        var old = (await Campaigns.CreateAsync(Draft("old"), T0, default)).Id;
        await Campaigns.TransitionAsync(old, CampaignTrigger.Cancel, T0, default);
        var recent = (await Campaigns.CreateAsync(Draft("recent"), T0, default)).Id;
        await Campaigns.TransitionAsync(recent, CampaignTrigger.Cancel, T0.AddMinutes(10), default);

        var progress = await Stats.ReadRecentProgressAsync(T0.AddMinutes(5), 10, default);

        Assert.Equal([running, pending, recent], progress.Select(p => p.Id));
        Assert.Equal(new CampaignProgress(running, CampaignStatus.Running, 20, 10), progress[0]);
        Assert.Equal([running], (await Stats.ReadRecentProgressAsync(T0.AddMinutes(5), 1, default)).Select(p => p.Id));
    }

    [Fact]
    public async Task A_shard_summary_folds_consecutive_shards_into_at_most_the_buckets_asked_for()
    {
        var id = await RunningAsync("summary", shards: 10, T0);
        await FinishAsync(id, 0, sent: 10, failed: 0);
        await FinishAsync(id, 9, sent: 10, failed: 0);
        await Shards.StartAsync(new ShardRef(id, 5), "w", default);

        var three = (await Stats.SummarizeShardsAsync(id, 3, default))!;
        Assert.Equal([(0, 3), (4, 6), (7, 9)], three.Select(b => (b.From, b.To)));
        Assert.Equal(new ShardBucket(0, 3, 3, 0, 1, 0, 0), three[0]);
        Assert.Equal(new ShardBucket(4, 6, 2, 1, 0, 0, 0), three[1]);
        Assert.Equal(new ShardBucket(7, 9, 2, 0, 1, 0, 0), three[2]);

        var many = (await Stats.SummarizeShardsAsync(id, 50, default))!;
        Assert.Equal(Enumerable.Range(0, 10), many.Select(b => b.From));
        Assert.All(many, b => Assert.Equal(b.From, b.To));

        var empty = (await Campaigns.CreateAsync(Draft("no shards"), T0, default)).Id;
        Assert.Empty((await Stats.SummarizeShardsAsync(empty, 10, default))!);
        Assert.Null(await Stats.SummarizeShardsAsync(Guid.NewGuid(), 10, default));
    }

    protected static NewCampaign Draft(string name) =>
        new(name, CampaignKind.Push, JobPriority.Normal, null, new CampaignMessage("t", "b"), [Channel.Inbox], 10, null);

    // A Running campaign of shards of ten members each: [1 + 10n, 11 + 10n).
    private async Task<Guid> RunningAsync(string name, int shards, DateTimeOffset at)
    {
        var id = (await Campaigns.CreateAsync(Draft(name), at, default)).Id;
        await Campaigns.TransitionAsync(id, CampaignTrigger.StartPlanning, at, default);
        await Campaigns.SaveShardsAsync(id, [.. Enumerable.Range(0, shards).Select(n => new ShardRange(n, 1 + (n * 10L), 11 + (n * 10L)))], shards * 10L, default);
        await Campaigns.TransitionAsync(id, CampaignTrigger.FinishPlanning, at, default);
        return id;
    }

    private async Task FinishAsync(Guid campaign, int shardNo, int sent, int failed)
    {
        var shard = new ShardRef(campaign, shardNo);
        var work = await Shards.StartAsync(shard, "w", default);
        Assert.True(await Shards.CheckpointAsync(new ShardCheckpoint(shard, work!.Epoch, 10 + (shardNo * 10L), sent, failed, 0, [], []), default));
        Assert.True(await Shards.EndAsync(shard, work.Epoch, ShardTrigger.Finish, default));
        // As the campaign grain does when a shard ends.
        await Shards.AggregateAsync(campaign, T0.AddMinutes(3), default);
    }
}
