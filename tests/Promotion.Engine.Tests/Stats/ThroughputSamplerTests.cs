using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Cluster;
using Promotion.Engine.Stats;
using Promotion.Infrastructure.InMemory;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Stats;

public sealed class ThroughputSamplerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly InMemoryCampaignStore _store;
    private readonly FakeClusterLoad _nodes = new();
    private readonly ThroughputSampler _sampler;

    public ThroughputSamplerTests()
    {
        _store = new InMemoryCampaignStore();
        _sampler = new ThroughputSampler(_store, _nodes,
            Options.Create(new StatsOptions { SampleInterval = Interval, History = TimeSpan.FromSeconds(20) }), _time, NullLogger<ThroughputSampler>.Instance);
    }

    [Fact]
    public async Task Send_rate_per_campaign_is_the_sum_over_silos_of_calls_between_two_readings()
    {
        var c = await RunningCampaignAsync(audience: 10_000);
        await BeatAsync("w1", (c, 0));
        await BeatAsync("w2", (c, 100));
        await _sampler.SampleAsync(default);
        Assert.Equal(0, _sampler.ForCampaign(c)!.SendsPerSecond);

        _time.Advance(Interval);
        await BeatAsync("w1", (c, 400));   // 200/s
        await BeatAsync("w2", (c, 300));   // 100/s
        await _sampler.SampleAsync(default);

        var t = _sampler.ForCampaign(c)!;
        Assert.Equal(300, t.SendsPerSecond);
        Assert.Equal(300, _sampler.Latest!.SendsPerSecond);
        Assert.Equal(new Dictionary<string, double> { ["w1"] = 200, ["w2"] = 100 }, _sampler.NodeSendRates());

        // w2 leaves: its share is gone at once; w1 stopped sending: its rate drops to zero.
        _nodes.Leave("w2");
        _time.Advance(Interval);
        await BeatAsync("w1", (c, 400));
        await _sampler.SampleAsync(default);
        Assert.Equal(0, _sampler.ForCampaign(c)!.SendsPerSecond);
        Assert.Equal(["w1"], _sampler.NodeSendRates().Keys);
    }

    [Fact]
    public async Task Member_rate_comes_from_checkpointed_counters_and_gives_the_time_left()
    {
        var c = await RunningCampaignAsync(audience: 1_000);
        await _sampler.SampleAsync(default);
        _time.Advance(Interval);
        await CheckpointAsync(c, 0, sent: 80, failed: 20);
        await _sampler.SampleAsync(default);

        var t = _sampler.ForCampaign(c)!;
        Assert.Equal(50, t.MembersPerSecond);
        Assert.Equal(100, t.Processed);
        Assert.Equal(18, t.EtaSeconds); // 900 members left at 50/s
        Assert.Equal(2, t.Points.Count);
        Assert.Equal([c], _sampler.OpenCampaigns().Select(o => o.Id));
    }

    [Fact]
    public async Task An_ended_campaign_keeps_its_history_but_gets_no_new_points_and_history_is_bounded()
    {
        var c = await RunningCampaignAsync(audience: 1_000);
        for (var i = 0; i < 15; i++)
        {
            _time.Advance(Interval);
            await _sampler.SampleAsync(default);
        }

        Assert.Equal(10, _sampler.ForCampaign(c)!.Points.Count); // 20 s of history at 2 s

        await _store.TransitionAsync(c, CampaignTrigger.Cancel, _time.GetUtcNow(), default);
        _time.Advance(Interval);
        await _sampler.SampleAsync(default);
        var ended = _sampler.ForCampaign(c)!;
        var last = ended.Points[^1].At;
        Assert.Equal(CampaignStatus.Cancelled, ended.Status);
        Assert.Null(ended.EtaSeconds);
        Assert.Empty(_sampler.OpenCampaigns());

        _time.Advance(Interval);
        await _sampler.SampleAsync(default);
        Assert.Equal(last, _sampler.ForCampaign(c)!.Points[^1].At);

        // Once it ended longer ago than the history, it is dropped.
        _time.Advance(TimeSpan.FromSeconds(30));
        await _sampler.SampleAsync(default);
        Assert.Null(_sampler.ForCampaign(c));
    }

    private async Task<Guid> RunningCampaignAsync(long audience)
    {
        var id = (await _store.CreateAsync(
            new NewCampaign("c", CampaignKind.Push, JobPriority.Normal, null, new CampaignMessage("t", "b"), [Channel.Inbox], 100, 500), _time.GetUtcNow(), default)).Id;
        await _store.TransitionAsync(id, CampaignTrigger.StartPlanning, _time.GetUtcNow(), default);
        await _store.SaveShardsAsync(id, [new ShardRange(0, 1, audience + 1)], audience, default);
        await _store.TransitionAsync(id, CampaignTrigger.FinishPlanning, _time.GetUtcNow(), default);
        return id;
    }

    private async Task CheckpointAsync(Guid campaign, int shardNo, int sent, int failed)
    {
        var shard = new ShardRef(campaign, shardNo);
        var work = await _store.StartAsync(shard, "w", default);
        Assert.True(await _store.CheckpointAsync(new ShardCheckpoint(shard, work!.Epoch, sent + failed, sent, failed, 0, [], []), default));
        await _store.AggregateAsync(campaign, _time.GetUtcNow(), default);
    }

    private Task BeatAsync(string silo, params (Guid Campaign, long Attempts)[] attempts)
    {
        _nodes.Loads[silo] = new SiloLoad(silo, _time.GetUtcNow(), 0, 0, attempts.ToDictionary(a => a.Campaign, a => a.Attempts));
        return Task.CompletedTask;
    }

    /// <summary>The silos' loads as the test sets them.</summary>
    private sealed class FakeClusterLoad : IClusterLoad
    {
        public Dictionary<string, SiloLoad> Loads { get; } = [];

        public void Leave(string silo) => Loads.Remove(silo);

        public Task<IReadOnlyList<SiloLoad>> ReadAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SiloLoad>>([.. Loads.Values]);
    }
}
