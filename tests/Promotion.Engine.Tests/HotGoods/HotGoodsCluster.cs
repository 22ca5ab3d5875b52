using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;
using Promotion.Domain.Campaigns;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Cluster;
using Promotion.Engine.HotGoods;
using Promotion.Engine.Members;
using Promotion.Infrastructure.InMemory;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.HotGoods;

/// <summary>
/// Hot goods on Orleans' in-process test cluster: silos with the given roles plus one worker silo
/// that runs the firings' campaigns, every silo on one set of in-memory stores (as every host shares
/// one database), the real clock, and each silo's name as its node id.
/// </summary>
public sealed class HotGoodsCluster : IAsyncDisposable
{
    private static readonly string[] Worker = [SiloRoles.Worker];

    private readonly EngineCluster _engine;

    private HotGoodsCluster(EngineCluster engine)
    {
        _engine = engine;
        Schedules = (InMemoryHotGoodsSchedules)engine.Get<IHotGoodsSchedules>();
        Campaigns = engine.Get<InMemoryCampaignStore>();
    }

    public GrainCluster Cluster => _engine.Cluster;

    public InMemoryHotGoodsSchedules Schedules { get; }

    public InMemoryCampaignStore Campaigns { get; }

    /// <summary>Starts one silo per entry of <paramref name="siloRoles"/>, and a worker, with <paramref name="settings"/> (keys under Promotion:) and seeds the goods.</summary>
    public static async Task<HotGoodsCluster> StartAsync(IReadOnlyList<string[]> siloRoles, Dictionary<string, string?>? settings = null)
    {
        var engine = await EngineCluster.StartAsync(settings: settings, siloRoles: [.. siloRoles, Worker]);
        // On the real clock: statistics up to today (a firing just after midnight UTC still ranks them, the window is 7 days).
        await HotGoodsFixture.SeedAsync(engine.Get<IMemberDirectory>(), engine.Get<IGoodsCatalog>(), day: DateOnly.FromDateTime(DateTime.UtcNow));
        return new HotGoodsCluster(engine);
    }

    public IScheduleGrain Grain(Guid scheduleId) => Cluster.Grains.GetGrain<IScheduleGrain>(scheduleId);

    /// <summary>A service of the first silo (any silo's would do: the stores are shared).</summary>
    public T Get<T>()
        where T : notnull => GrainCluster.ServiceOf<T>(Cluster.Silos[0]);

    /// <summary>The silo named <paramref name="name"/>.</summary>
    public InProcessSiloHandle Silo(string name) => Cluster.Silos.Single(s => s.Name == name);

    /// <summary>Creates a schedule of the gamers through the commands, as the API does.</summary>
    public async Task<HotGoodsSchedule> CreateAsync(string cron, int topK = 2) =>
        (await Get<HotGoodsScheduleCommands>().CreateAsync(new HotGoodsScheduleDraft("gamers", cron, topK, null, ["inbox"]), default)).Schedule;

    /// <summary>The schedule's finished firings, oldest first.</summary>
    public async Task<IReadOnlyList<HotGoodsFiringRecord>> FiringsAsync(Guid scheduleId) =>
        [.. (await Schedules.ListFiringsAsync(scheduleId, 200, default)).Where(f => f.Outcome is not null).OrderBy(f => f.ScheduledAt)];

    /// <summary>Waits until the schedule has at least <paramref name="count"/> finished firings; returns them oldest first.</summary>
    public async Task<IReadOnlyList<HotGoodsFiringRecord>> WaitForFiringsAsync(Guid scheduleId, int count, TimeSpan? timeout = null)
    {
        IReadOnlyList<HotGoodsFiringRecord> firings = [];
        await Eventually.TrueAsync(async () => (firings = await FiringsAsync(scheduleId)).Count >= count, timeout ?? TimeSpan.FromSeconds(60), $"{count} firings");
        return firings;
    }

    /// <summary>Whether the schedule's reminder is in the reminder table.</summary>
    public async Task<bool> HasReminderAsync(Guid scheduleId)
    {
        var table = GrainCluster.ServiceOf<IReminderTable>(Cluster.Silos[0]);
        var entry = await table.ReadRow(Grain(scheduleId).GetGrainId(), ScheduleGrain.ReminderName);
        return entry is not null;
    }

    /// <summary>
    /// Every firing of the schedule ends with its own campaign and no campaign is left without a firing
    /// (allowing a firing under way to finish).
    /// </summary>
    public Task AssertOneCampaignPerFiringAsync(Guid scheduleId) =>
        Eventually.TrueAsync(async () =>
        {
            var all = await Schedules.ListFiringsAsync(scheduleId, 200, default);
            var campaigns = (await Campaigns.ListAsync(new CampaignQuery(CampaignKind.HotGoods, null, 1, 500), default)).Items;
            return all.All(f => f.Outcome == HotGoodsFiringOutcome.Campaign)
                && all.Select(f => f.CampaignId!.Value).Order().SequenceEqual(campaigns.Select(c => c.Id).Order());
        }, TimeSpan.FromSeconds(10), "one campaign per firing");

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();
}
