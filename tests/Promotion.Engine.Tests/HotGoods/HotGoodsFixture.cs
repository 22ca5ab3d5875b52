using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Promotion.Domain.HotGoods;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.HotGoods;
using Promotion.Engine.Members;
using Promotion.Engine.Messaging;
using Promotion.Engine.Nodes;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.HotGoods;

/// <summary>The engine's hot-goods services on the in-memory adapters, with a scheduler stand-in and a recording dispatcher.</summary>
public sealed class HotGoodsFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    /// <param name="nodeId">This host's id.</param>
    /// <param name="settings">Configuration.</param>
    /// <param name="replace">Last word on the services, e.g. to wrap a store so that it fails.</param>
    public HotGoodsFixture(string nodeId = "node-a", Dictionary<string, string?>? settings = null, Action<IServiceCollection>? replace = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IJobDispatcher>(Dispatcher);
        services.AddSingleton<IHotGoodsTriggers>(Triggers);
        services.AddPromotionEngine(config, new NodeIdentity(nodeId, ["api", "worker", "scheduler"]));
        services.AddPromotionCampaigns(config, worker: false);
        services.AddPromotionInMemoryStores();
        services.AddPromotionHotGoods(config, worker: true, scheduler: true);
        replace?.Invoke(services);
        _services = services.BuildServiceProvider();
    }

    public ManualTimeProvider Time { get; } = new(T0);

    public RecordingDispatcher Dispatcher { get; } = new();

    public FakeTriggers Triggers { get; } = new();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Members 1..count, products of toys and books with statistics for the 7 days up to T0, gamers following toys.</summary>
    public async Task SeedAsync(int members = 100)
    {
        await Get<IMemberDirectory>().ImportAsync(SyntheticMembers.Range(1, members, ["gamers", "parents"]), null, default);
        var catalog = Get<IGoodsCatalog>();
        await catalog.ImportProductsAsync(
            [new Product(1, "toys", "Kite", 9.99m), new Product(2, "toys", "Robot", 49m), new Product(3, "toys", "Ball", 3m), new Product(4, "books", "Atlas", 30m)],
            null, default);
        var day = DateOnly.FromDateTime(T0.UtcDateTime);
        await catalog.ImportDailyStatsAsync(
        [
            new ProductDayStats(1, day, 100, 2, 0, 0),              // 10 + 5 + 6 = 21 (+ day before)
            new ProductDayStats(1, day.AddDays(-1), 100, 2, 0, 0),  // window total: 200 views, 4 purchases -> 20 + 10 + 6 = 36
            new ProductDayStats(2, day, 0, 10, 10, 50),             // 50 + 0 + 8 = 58
            new ProductDayStats(3, day.AddDays(-7), 5000, 500, 0, 0), // outside the 7-day window
            new ProductDayStats(4, day, 10000, 100, 0, 0),          // not a toy
        ], null, default);
        await catalog.SetSegmentCategoriesAsync("gamers", ["toys"], default);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    public sealed class FakeTriggers : IHotGoodsTriggers
    {
        public ConcurrentDictionary<Guid, string> State { get; } = new();

        public bool FailNext { get; set; }

        public string? ExplainCron(string cron) => cron.StartsWith("0 ", StringComparison.Ordinal) ? null : "must start with 0";

        public Task ScheduleAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("scheduler down");
            }

            State[schedule.Id] = "scheduled";
            return Task.CompletedTask;
        }

        public Task PauseAsync(Guid scheduleId, CancellationToken cancellationToken) => Set(scheduleId, "paused");

        public Task ResumeAsync(Guid scheduleId, CancellationToken cancellationToken) => Set(scheduleId, "scheduled");

        public Task DeleteAsync(Guid scheduleId, CancellationToken cancellationToken)
        {
            State.TryRemove(scheduleId, out _);
            return Task.CompletedTask;
        }

        public Task<DateTimeOffset?> NextFireTimeAsync(Guid scheduleId, CancellationToken cancellationToken) =>
            Task.FromResult<DateTimeOffset?>(State.TryGetValue(scheduleId, out var s) && s == "scheduled" ? T0.AddHours(1) : null);

        private Task Set(Guid id, string state)
        {
            State[id] = state;
            return Task.CompletedTask;
        }
    }
}
