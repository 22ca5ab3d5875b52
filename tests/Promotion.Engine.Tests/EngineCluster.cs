using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Delivery;
using Promotion.Engine.Members;
using Promotion.Engine.Nodes;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests;

/// <summary>
/// The engine on Orleans' in-process test cluster: every silo runs the engine's services and grains
/// for its roles, on in-memory adapters shared by every silo (as the servers are shared by every
/// host), with a recording sender. A clock given by the test drives the engine's time (grain timers
/// included) while Orleans' own background work keeps real time.
/// </summary>
public sealed class EngineCluster : IAsyncDisposable
{
    private readonly ServiceProvider _stores;

    private EngineCluster(GrainCluster cluster, ServiceProvider stores)
    {
        Cluster = cluster;
        _stores = stores;
    }

    /// <summary>The silos.</summary>
    public GrainCluster Cluster { get; }

    /// <summary>Every send attempt of every silo; it answers what <see cref="RecordingSender.Answer"/> says.</summary>
    public RecordingSender Sender { get; } = new();

    /// <summary>Every send attempt, in order.</summary>
    public ConcurrentQueue<OutgoingMessage> Sends => Sender.Sends;

    /// <summary>
    /// Starts one silo per entry of <paramref name="siloRoles"/> (one with every role by default) with
    /// members 1..<paramref name="members"/> in segment gamers. <paramref name="settings"/> are the
    /// <c>Promotion</c> section's keys (e.g. <c>Shards:PageSize</c>); <paramref name="replace"/> has the
    /// last word on each silo's services.
    /// </summary>
    public static async Task<EngineCluster> StartAsync(
        int members = 0,
        Dictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        IReadOnlyList<string[]>? siloRoles = null,
        Action<IServiceCollection>? replace = null)
    {
        // Four login-event partitions, as GrainCluster's memory streams have them.
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["LoginEvents:Partitions"] = "4" }).AddInMemoryCollection(settings ?? []).Build();
        var storeServices = new ServiceCollection();
        storeServices.AddSingleton(time ?? TimeProvider.System);
        storeServices.AddPromotionInMemoryStores();
        var stores = storeServices.BuildServiceProvider();
        EngineCluster? engine = null;
        var cluster = await GrainCluster.StartAsync(siloRoles, silo =>
        {
            var services = silo.Services;
            if (Environment.GetEnvironmentVariable("PROMOTION_TEST_LOGS") is { Length: > 0 } level)
            {
                // For debugging a test: the silos' logs on the console at that level.
                services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(level)));
            }

            if (time is not null)
            {
                services.AddSingleton(time);
                services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            }

            var worker = silo.Roles.Contains("worker");
            services.AddPromotionEngine(config, new NodeIdentity(silo.SiloName, silo.Roles));
            services.AddPromotionCampaigns(config, worker);
            services.AddPromotionHotGoods(config, worker, silo.Roles.Contains("scheduler"));
            services.AddPromotionCoupons(config, worker);
            ShareStores(services, storeServices, stores);
            services.AddSingleton<ISender>(_ => engine!.Sender);
            replace?.Invoke(services);
        });
        engine = new EngineCluster(cluster, stores);
        if (members > 0)
        {
            await engine.Get<IMemberDirectory>().ImportAsync(SyntheticMembers.Range(1, members, ["gamers"]), null, default);
        }

        return engine;
    }

    /// <summary>A service of the first running silo (the shared stores are the same in every silo).</summary>
    public T Get<T>()
        where T : notnull => Cluster.Services.GetRequiredService<T>();

    /// <summary>Creates a campaign of <paramref name="kind"/> from <paramref name="draft"/> and waits until it has ended.</summary>
    public async Task<Campaign> RunAsync(CampaignDraft draft, CampaignKind kind = CampaignKind.Push)
    {
        var campaign = await Get<CampaignCommands>().CreateAsync(draft, kind, null, default);
        return await WaitForEndAsync(campaign.Id);
    }

    /// <summary>Waits until the campaign is Completed, Cancelled or Failed.</summary>
    public async Task<Campaign> WaitForEndAsync(Guid id, TimeSpan? timeout = null) =>
        await WaitForAsync(id, c => CampaignStateMachine.IsTerminal(c.Status), "to end", timeout);

    /// <summary>Waits until the campaign satisfies <paramref name="condition"/>.</summary>
    public async Task<Campaign> WaitForAsync(Guid id, Func<Campaign, bool> condition, string what, TimeSpan? timeout = null)
    {
        Campaign? last = null;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                last = await Get<ICampaignStore>().GetAsync(id, default);
                return last is not null && condition(last);
            }, timeout ?? TimeSpan.FromSeconds(60), $"campaign {id} {what}");
        }
        catch (TimeoutException ex)
        {
            // The message is built when the wait ends, so it says where the campaign stood then.
            throw new TimeoutException($"{ex.Message} (last seen {last?.Status.ToString() ?? "nowhere"}, {last?.Sent} sent)", ex);
        }

        return last!;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await _stores.DisposeAsync();
    }

    // Every silo sees the same store instances, resolved from one provider built once.
    private static void ShareStores(IServiceCollection silo, IServiceCollection stores, IServiceProvider shared)
    {
        foreach (var type in stores.Where(d => d.ServiceType.Namespace?.StartsWith("Promotion.", StringComparison.Ordinal) == true).Select(d => d.ServiceType).Distinct())
        {
            silo.AddSingleton(type, _ => shared.GetRequiredService(type));
        }
    }

    /// <summary>A sender that records every attempt and answers <see cref="Answer"/> (or what <see cref="Respond"/> says).</summary>
    public sealed class RecordingSender : ISender
    {
        public ConcurrentQueue<OutgoingMessage> Sends { get; } = new();

        public SendResult Answer { get; set; } = SendResult.Sent;

        /// <summary>When set, decides each answer (and may wait) instead of <see cref="Answer"/>.</summary>
        public Func<OutgoingMessage, CancellationToken, Task<SendResult>>? Respond { get; set; }

        public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            Sends.Enqueue(message);
            return Respond is { } respond ? respond(message, cancellationToken) : Task.FromResult(Answer);
        }
    }
}
