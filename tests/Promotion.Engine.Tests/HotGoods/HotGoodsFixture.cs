using Microsoft.Extensions.Time.Testing;
using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.HotGoods;
using Promotion.Engine.Members;
using Promotion.Engine.Nodes;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.HotGoods;

/// <summary>
/// The engine's hot-goods firing on the in-memory adapters with recording campaign grains and a
/// membership the test sets, outside any silo (the schedule grains are tested on <see cref="HotGoodsCluster"/>).
/// </summary>
public sealed class HotGoodsFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    /// <param name="nodeId">This host's id (its silo name).</param>
    /// <param name="settings">Configuration.</param>
    /// <param name="replace">Last word on the services, e.g. to wrap a store so that it fails.</param>
    public HotGoodsFixture(string nodeId = "node-a", Dictionary<string, string?>? settings = null, Action<IServiceCollection>? replace = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(sp => new RecordingCampaignGrains(sp.GetRequiredService<ICampaignStore>(), Time));
        services.AddSingleton(sp => sp.GetRequiredService<RecordingCampaignGrains>().Factory);
        services.AddSingleton<IClusterMembershipService>(Membership);
        services.AddPromotionEngine(config, new NodeIdentity(nodeId, ["api", "worker", "scheduler"]));
        services.AddPromotionCampaigns(config, worker: false);
        services.AddPromotionInMemoryStores();
        services.AddPromotionHotGoods(config, worker: true, scheduler: true);
        replace?.Invoke(services);
        _services = services.BuildServiceProvider();
        Membership.Set((nodeId, SiloStatus.Active));
    }

    public FakeTimeProvider Time { get; } = new(T0);

    /// <summary>Campaigns the firings started, in order.</summary>
    public IReadOnlyCollection<Guid> Started => Get<RecordingCampaignGrains>().Started;

    public SettableMembership Membership { get; } = new();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Stores an active schedule of the gamers, as the API would have (its grain is not involved here).</summary>
    public async Task<HotGoodsSchedule> CreateScheduleAsync(int topK = 2, CampaignDraft? followUp = null, IReadOnlyList<Channel>? channels = null)
    {
        var schedule = new HotGoodsSchedule(Guid.NewGuid(), "gamers", "0 0 10 * * ?", "UTC", topK, channels ?? [Channel.Inbox],
            HotGoodsScheduleStatus.Active, Time.GetUtcNow(), Time.GetUtcNow(), followUp);
        await Get<IHotGoodsSchedules>().CreateAsync(schedule, default);
        return schedule;
    }

    /// <summary>Members 1..count, products of toys and books with statistics for the 7 days up to T0, gamers following toys.</summary>
    public Task SeedAsync(int members = 100) => SeedAsync(Get<IMemberDirectory>(), Get<IGoodsCatalog>(), members);

    /// <summary>The same seed, with statistics up to <paramref name="day"/> (T0's day when null).</summary>
    public static async Task SeedAsync(IMemberDirectory directory, IGoodsCatalog catalog, int members = 100, DateOnly? day = null)
    {
        await directory.ImportAsync(SyntheticMembers.Range(1, members, ["gamers", "parents"]), null, default);
        await catalog.ImportProductsAsync(
            [new Product(1, "toys", "Kite", 9.99m), new Product(2, "toys", "Robot", 49m), new Product(3, "toys", "Ball", 3m), new Product(4, "books", "Atlas", 30m)],
            null, default);
        var last = day ?? DateOnly.FromDateTime(T0.UtcDateTime);
        await catalog.ImportDailyStatsAsync(
        [
            new ProductDayStats(1, last, 100, 2, 0, 0),              // 10 + 5 + 6 = 21 (+ day before)
            new ProductDayStats(1, last.AddDays(-1), 100, 2, 0, 0),  // window total: 200 views, 4 purchases -> 20 + 10 + 6 = 36
            new ProductDayStats(2, last, 0, 10, 10, 50),             // 50 + 0 + 8 = 58
            new ProductDayStats(3, last.AddDays(-7), 5000, 500, 0, 0), // outside the 7-day window
            new ProductDayStats(4, last, 10000, 100, 0, 0),          // not a toy
        ], null, default);
        await catalog.SetSegmentCategoriesAsync("gamers", ["toys"], default);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>Cluster membership as the test says it is: silo names with their status.</summary>
    public sealed class SettableMembership : IClusterMembershipService
    {
        private ClusterMembershipSnapshot _snapshot = new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty, MembershipVersion.MinValue);

        public ClusterMembershipSnapshot CurrentSnapshot => _snapshot;

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public void Set(params (string Name, SiloStatus Status)[] silos)
        {
            var members = silos.Select((s, i) => new ClusterMember(SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111 + i), 1), s.Status, s.Name));
            _snapshot = new ClusterMembershipSnapshot(
                members.ToImmutableDictionary(m => m.SiloAddress),
                new MembershipVersion(_snapshot.Version.Value + 1));
        }

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
