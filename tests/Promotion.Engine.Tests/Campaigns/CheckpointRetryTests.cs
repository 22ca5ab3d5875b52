using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Delivery;
using Promotion.Engine.Members;
using Promotion.Engine.Messaging;
using Promotion.Engine.Nodes;
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
        await using var engine = await Engine.StartAsync(failingCheckpoints: 3, retryFor: "00:00:30");

        await engine.RunCampaignAsync();

        var campaign = (await engine.Get<ICampaignStore>().GetAsync(engine.CampaignId, default))!;
        Assert.Equal(3, engine.Shards.Failed);
        Assert.Equal((CampaignStatus.Completed, (long)Members), (campaign.Status, campaign.Sent));
        Assert.Equal(Members, engine.Sender.Keys.Count);
        Assert.Equal(Members, engine.Sender.Keys.Distinct().Count());
    }

    [Fact]
    public async Task A_checkpoint_failing_past_the_retry_window_gives_the_shard_back_at_its_last_checkpoint()
    {
        await using var engine = await Engine.StartAsync(failingCheckpoints: int.MaxValue, retryFor: "00:00:01");

        await Assert.ThrowsAnyAsync<Exception>(engine.RunCampaignAsync);

        var shard = Assert.Single(await engine.Get<IShardStore>().ListAsync(engine.CampaignId, 0, 10, default));
        Assert.Equal((ShardStatus.Pending, 0L, (string?)null), (shard.Status, shard.Sent, shard.LeaseOwner));
        Assert.True(engine.Shards.Failed > 1, $"{engine.Shards.Failed} checkpoint attempts");
    }

    /// <summary>The engine's worker on the in-memory stores, driven message by message.</summary>
    private sealed class Engine : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Engine(ServiceProvider services) => _services = services;

        public RecordingSender Sender { get; } = new();

        public RecordingDispatcher Dispatcher { get; } = new();

        public FailingCheckpoints Shards { get; private set; } = null!;

        public Guid CampaignId { get; private set; }

        public static async Task<Engine> StartAsync(int failingCheckpoints, string retryFor)
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Shards:PageSize"] = "100",
                ["Shards:CheckpointRetryFor"] = retryFor,
            }).Build();
            var services = new ServiceCollection();
            Engine? engine = null;
            services.AddLogging();
            services.AddMetrics();
            services.AddSingleton(TimeProvider.System); // Polly's backoff waits on it
            services.AddSingleton<IHostApplicationLifetime, RunningLifetime>();
            services.AddPromotionEngine(config, new NodeIdentity("node-a", ["worker"]));
            services.AddPromotionCampaigns(config, worker: true);
            services.AddPromotionInMemoryStores();
            services.AddSingleton<IJobDispatcher>(_ => engine!.Dispatcher);
            services.AddSingleton<ISender>(_ => engine!.Sender);
            services.AddSingleton<IShardStore>(sp => engine!.Shards = new FailingCheckpoints(sp.GetRequiredService<InMemoryCampaignStore>(), failingCheckpoints));
            engine = new Engine(services.BuildServiceProvider());
            await engine.Get<IMemberDirectory>().ImportAsync(SyntheticMembers.Range(1, Members, ["gamers"]), null, default);
            return engine;
        }

        public T Get<T>()
            where T : notnull => _services.GetRequiredService<T>();

        /// <summary>Creates a one-shard campaign on the inbox (every member has one), plans it and works its shard here.</summary>
        public async Task RunCampaignAsync()
        {
            var campaign = await Get<CampaignCommands>().CreatePushAsync(new CampaignDraft("sale", null, "Sale", "20% off", ["inbox"], null, Members, null), default);
            CampaignId = campaign.Id;
            await Get<IJobMessageHandler<PlanCampaign>>().HandleAsync(new PlanCampaign(campaign.Id), default);
            foreach (var shard in Dispatcher.Sent.OfType<ProcessShard>().ToList())
            {
                await Get<IJobMessageHandler<ProcessShard>>().HandleAsync(shard, default);
            }
        }

        public async ValueTask DisposeAsync() => await _services.DisposeAsync();
    }

    private sealed class RecordingSender : ISender
    {
        public ConcurrentQueue<string> Keys { get; } = new();

        public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            Keys.Enqueue(message.IdempotencyKey);
            return Task.FromResult(SendResult.Sent);
        }
    }

    private sealed class RunningLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

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
