using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Promotion.Engine.Cluster;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Cluster;

/// <summary>Roles on a real (in-process) Orleans cluster: placement by role, and the membership the dashboard lists.</summary>
public sealed class SiloRolesTests : IAsyncLifetime
{
    private static readonly string[] ApiOnly = [SiloRoles.Api];
    private static readonly string[] WorkerOnly = [SiloRoles.Worker];
    private static readonly string[] ApiAndScheduler = [SiloRoles.Api, SiloRoles.Scheduler];

    private GrainCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await GrainCluster.StartAsync([ApiOnly, WorkerOnly, ApiAndScheduler], silo =>
    {
        // What each silo's load grain reads.
        silo.Services.AddMetrics();
        silo.Services.AddSingleton<Promotion.Engine.Diagnostics.PromotionInstruments>();
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Work_grains_run_only_on_worker_silos_and_schedules_only_on_scheduler_silos()
    {
        var workerSilo = SiloNamed(WorkerOnly);
        var schedulerSilo = SiloNamed(ApiAndScheduler);
        for (var key = 0; key < 30; key++)
        {
            Assert.Equal(workerSilo, await _cluster.Grains.GetGrain<IWorkerProbeGrain>(key).SiloNameAsync());
            Assert.Equal(schedulerSilo, await _cluster.Grains.GetGrain<ISchedulerProbeGrain>(key).SiloNameAsync());
        }
    }

    [Fact]
    public async Task Grains_without_a_role_spread_over_every_silo()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var key = 0; key < 200 && seen.Count < 3; key++)
        {
            seen.Add(await _cluster.Grains.GetGrain<IAnywhereProbeGrain>(key).SiloNameAsync());
        }

        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public async Task The_node_list_shows_each_silo_with_its_roles_and_a_killed_one_as_dead()
    {
        var observer = _cluster.Silos[0];
        var nodes = new ClusterNodes(GrainCluster.ServiceOf<IGrainFactory>(observer), GrainCluster.ServiceOf<ISiloMetadataCache>(observer), TimeProvider.System);

        IReadOnlyList<ClusterNode> listed = [];
        await Eventually.TrueAsync(async () =>
        {
            listed = await nodes.ListAsync();
            return listed.Count(n => n.IsActive && n.Roles.Count > 0) == 3;
        }, TimeSpan.FromSeconds(30), "three active silos with their roles");
        Assert.Contains(listed, n => n.Name == SiloNamed(WorkerOnly) && n.Roles.SequenceEqual(WorkerOnly));
        Assert.Contains(listed, n => n.Name == SiloNamed(ApiAndScheduler) && n.Roles.SequenceEqual(ApiAndScheduler));
        Assert.All(listed, n => Assert.True(n.StartedAt <= n.LastAliveAt.AddSeconds(1), n.Name));

        var worker = _cluster.Silos.Single(s => s.Name == SiloNamed(WorkerOnly));
        await _cluster.KillSiloAsync(worker);
        await Eventually.TrueAsync(async () =>
        {
            listed = await nodes.ListAsync();
            return listed.Any(n => n.Name == worker.Name && n.Status == "Dead");
        }, TimeSpan.FromSeconds(60), "the killed silo to be declared dead");
        Assert.Equal(2, listed.Count(n => n.IsActive));
    }

    [Fact]
    public async Task Each_silo_answers_for_its_own_load()
    {
        var observer = _cluster.Silos[0];
        var load = new ClusterLoad(GrainCluster.ServiceOf<IGrainFactory>(observer), GrainCluster.ServiceOf<Orleans.Runtime.IClusterMembershipService>(observer));

        IReadOnlyList<SiloLoad> loads = [];
        await Eventually.TrueAsync(async () => (loads = await load.ReadAsync(default)).Count == 3, TimeSpan.FromSeconds(30), "every silo's load");

        Assert.Equal(_cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal), loads.Select(l => l.SiloName).Order(StringComparer.Ordinal));
    }

    private string SiloNamed(string[] roles) => _cluster.Silos.Single(s => _cluster.RolesOf(s.SiloAddress).SequenceEqual(roles)).Name;
}
