using Orleans.Configuration;
using Orleans.Dashboard;
using Promotion.Engine.Nodes;
using Promotion.Host.Composition;

namespace Promotion.Host.Cluster;

/// <summary>
/// Makes the host an Orleans silo: membership, grain storage and reminders on PostgreSQL in the
/// distributed profile (the tables come from the project's migrations), in memory in the embedded
/// one; its roles published as silo metadata; grain classes of roles it lacks left out, so Orleans
/// never places them here.
/// </summary>
internal static class ClusterComposition
{
    /// <summary>The ADO.NET provider invariant of Npgsql, as the Orleans AdoNet providers name it.</summary>
    private const string Invariant = "Npgsql";

    public static WebApplicationBuilder AddPromotionCluster(this WebApplicationBuilder builder, PromotionSettings settings, NodeIdentity identity)
    {
        var cluster = settings.Cluster;
        var siloPort = cluster.PortOrFree(cluster.SiloPort);
        var gatewayPort = cluster.PortOrFree(cluster.GatewayPort);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // The silo's name is the host's node id, so what the host reports elsewhere (firings,
            // shard owners, the dashboard) joins the membership table by name.
            silo.Configure<SiloOptions>(o => o.SiloName = identity.NodeId);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = cluster.ProbeTimeout;
                o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            });
            silo.UsePromotionRoles(identity.Roles);
            // Grain calls carry the caller's trace context (and make spans when traced), so a campaign's
            // pages and sends on other silos join its trace.
            silo.AddActivityPropagation();
            silo.AddDashboard();
            // Login events: persistent streams over the broker, or memory streams in one process.
            silo.AddPromotionLoginEventStreams(settings.LoginEvents, memory: settings.Profile != HostProfile.Distributed);

            if (settings.Profile == HostProfile.Distributed)
            {
                var postgres = settings.PostgresConnectionString!;
                silo.ConfigureEndpoints(cluster.Address, siloPort, gatewayPort);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = postgres;
                });
                silo.AddAdoNetGrainStorageAsDefault(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = postgres;
                });
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = postgres;
                });
            }
            else
            {
                // One process is the whole cluster: it is its own primary silo.
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                silo.AddMemoryGrainStorageAsDefault();
                silo.UseInMemoryReminderService();
            }
        });
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        return builder;
    }
}
