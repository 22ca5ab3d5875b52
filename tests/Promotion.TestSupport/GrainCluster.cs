using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using Promotion.Engine.Cluster;

namespace Promotion.TestSupport;

/// <summary>
/// An Orleans cluster inside the test process (Orleans.TestingHost's in-process cluster: in-memory
/// transport, membership and grain directory), each silo with the Promotion roles it is given, in-memory
/// grain storage and reminders, and the services the test adds (ports' adapters, clocks). Grain tests
/// call grains through <see cref="Grains"/>, reach a silo's services, and kill or stop silos.
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;
    private readonly List<string[]> _roles;

    private GrainCluster(InProcessTestCluster cluster, List<string[]> roles)
    {
        _cluster = cluster;
        _roles = roles;
    }

    /// <summary>Every role: what a host plays by default.</summary>
    public static readonly string[] AllRoles = [SiloRoles.Api, SiloRoles.Worker, SiloRoles.Scheduler];

    /// <summary>Calls grains as a client of the cluster would.</summary>
    public IGrainFactory Grains => _cluster.Client;

    /// <summary>The silos running now, in start order.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => [.. _cluster.GetActiveSilos()];

    /// <summary>
    /// Starts one silo per entry of <paramref name="siloRoles"/> (all roles when none is given);
    /// <paramref name="services"/> runs for every silo's services with the silo's name and roles.
    /// The login-event stream is Orleans memory streams (as in the embedded profile) unless
    /// <paramref name="loginStreams"/> configures it otherwise.
    /// </summary>
    public static async Task<GrainCluster> StartAsync(IReadOnlyList<string[]>? siloRoles = null, Action<SiloSetup>? services = null, Action<Orleans.Hosting.ISiloBuilder>? loginStreams = null)
    {
        var roles = (siloRoles ?? [AllRoles]).ToList();
        var builder = new InProcessTestClusterBuilder((short)roles.Count);
        builder.Options.ConfigureFileLogging = false;
        // Silos differ in the grain classes they host (roles), so placement must read the cluster manifest.
        builder.Options.AssumeHomogenousSilosForTesting = false;
        // The client asks a gateway for the cluster manifest once a minute by default; a first answer given
        // before the gateway knew every silo then leaves the client without a role's grain types for that
        // minute (a CI run waited 60 s for it). Asking every second keeps the start of a test short.
        builder.ConfigureClientHost(client => client.Services.Configure<TypeManagementOptions>(options => options.TypeMapRefreshInterval = TimeSpan.FromSeconds(1)));
        builder.ConfigureSiloHost((silo, host) => services?.Invoke(new SiloSetup(silo.SiloName, RolesFor(roles, silo.SiloName), host.Services)));
        builder.ConfigureSilo((options, silo) =>
        {
            silo.UsePromotionRoles(RolesFor(roles, options.SiloName));
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
            if (loginStreams is null)
            {
                silo.AddPromotionLoginEventStreams(new Promotion.Engine.Coupons.LoginEventOptions { Partitions = 4, RetryFor = TimeSpan.FromSeconds(5) }, memory: true);
            }
            else
            {
                loginStreams(silo);
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await WaitForClientManifestAsync(cluster);
        return new GrainCluster(cluster, roles);
    }

    /// <summary>Adds a silo playing <paramref name="roles"/>.</summary>
    public async Task<InProcessSiloHandle> AddSiloAsync(params string[] roles)
    {
        lock (_roles)
        {
            _roles.Add(roles);
        }

        var silo = await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForClusterManifestToStabilizeAsync();
        await WaitForClientManifestAsync(_cluster);
        return silo;
    }

    /// <summary>The roles <paramref name="silo"/> was started with.</summary>
    public string[] RolesOf(SiloAddress silo) =>
        RolesFor(_roles, _cluster.GetSiloForAddress(silo)?.Name ?? throw new ArgumentException($"no silo at {silo}", nameof(silo)));

    /// <summary>The services of the first silo still running.</summary>
    public IServiceProvider Services => Silos[0].SiloHost.Services;

    /// <summary>A service of <paramref name="silo"/>'s container.</summary>
    public static T ServiceOf<T>(InProcessSiloHandle silo)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.SiloHost.Services.GetRequiredService<T>();
    }

    /// <summary>Ends <paramref name="silo"/> at once, as a crash would: nothing is handed over.</summary>
    public Task KillSiloAsync(InProcessSiloHandle silo) => _cluster.KillSiloAsync(silo);

    /// <summary>Stops <paramref name="silo"/> gracefully: it deactivates its grains and leaves the membership.</summary>
    public Task StopSiloAsync(InProcessSiloHandle silo) => _cluster.StopSiloAsync(silo);

    /// <summary>Waits until every silo agrees on the membership (after a kill, once the dead silo is declared dead).</summary>
    public Task WaitForLivenessAsync(bool didKill = false) => _cluster.WaitForLivenessToStabilizeAsync(didKill);

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    // Silos differ in grain types (roles): until the client holds every silo's manifest it cannot resolve a
    // role's grain interface ("Could not find an implementation"), which a loaded machine shows at once.
    private static Task WaitForClientManifestAsync(InProcessTestCluster cluster)
    {
        var manifests = cluster.Client.ServiceProvider.GetRequiredService<IClusterManifestProvider>();
        var silos = cluster.GetActiveSilos().Select(s => s.SiloAddress).ToList();
        return Eventually.TrueAsync(() => silos.All(manifests.Current.Silos.ContainsKey), TimeSpan.FromSeconds(60), "the client to hold every silo's grain manifest");
    }

    // The in-process cluster names its silos Silo_0, Silo_1, ... in start order.
    private static string[] RolesFor(List<string[]> roles, string siloName)
    {
        var index = int.Parse(siloName.AsSpan(siloName.LastIndexOf('_') + 1), System.Globalization.CultureInfo.InvariantCulture);
        lock (roles)
        {
            return index < roles.Count ? roles[index] : AllRoles;
        }
    }
}

/// <summary>One silo being set up: its name, its roles and its services.</summary>
public sealed record SiloSetup(string SiloName, string[] Roles, IServiceCollection Services);
