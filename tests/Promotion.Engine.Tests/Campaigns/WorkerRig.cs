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
/// The engine's planner and shard worker on the in-memory stores with a recording sender, driven
/// message by message: the test decides when each plan and shard message is handled.
/// </summary>
public sealed class WorkerRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private WorkerRig(ServiceProvider services) => _services = services;

    /// <summary>Every send attempt, in order; the sender answers <see cref="Answer"/>.</summary>
    public ConcurrentQueue<OutgoingMessage> Sends => Sender.Sends;

    /// <summary>What the sender answers.</summary>
    public SendResult Answer
    {
        get => Sender.Answer;
        set => Sender.Answer = value;
    }

    public RecordingDispatcher Dispatcher { get; } = new();

    private RecordingSender Sender { get; } = new();

    /// <summary>Members 1..<paramref name="members"/> in segment gamers; <paramref name="replace"/> has the last word on the services.</summary>
    public static async Task<WorkerRig> StartAsync(int members, Dictionary<string, string?> settings, Action<IServiceCollection>? replace = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        WorkerRig? rig = null;
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System); // the fan-out's and checkpoint's backoffs wait on it
        services.AddSingleton<IHostApplicationLifetime, RunningLifetime>();
        services.AddPromotionEngine(config, new NodeIdentity("node-a", ["worker"]));
        services.AddPromotionCampaigns(config, worker: true);
        services.AddPromotionHotGoods(config, worker: true, scheduler: false);
        services.AddPromotionInMemoryStores();
        services.AddSingleton<IJobDispatcher>(_ => rig!.Dispatcher);
        services.AddSingleton<ISender>(_ => rig!.Sender);
        replace?.Invoke(services);
        rig = new WorkerRig(services.BuildServiceProvider());
        await rig.Get<IMemberDirectory>().ImportAsync(SyntheticMembers.Range(1, members, ["gamers"]), null, default);
        return rig;
    }

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Creates a campaign of <paramref name="kind"/> from <paramref name="draft"/>, plans it and works each of its shards here.</summary>
    public async Task<Guid> RunAsync(CampaignDraft draft, CampaignKind kind = CampaignKind.Push)
    {
        var campaign = await Get<CampaignCommands>().CreateAsync(draft, kind, null, default);
        await Get<IJobMessageHandler<PlanCampaign>>().HandleAsync(new PlanCampaign(campaign.Id), default);
        foreach (var shard in Dispatcher.Sent.OfType<ProcessShard>().Where(s => s.CampaignId == campaign.Id).ToList())
        {
            await Get<IJobMessageHandler<ProcessShard>>().HandleAsync(shard, default);
        }

        return campaign.Id;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private sealed class RecordingSender : ISender
    {
        public ConcurrentQueue<OutgoingMessage> Sends { get; } = new();

        public SendResult Answer { get; set; } = SendResult.Sent;

        public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            Sends.Enqueue(message);
            return Task.FromResult(Answer);
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
}
