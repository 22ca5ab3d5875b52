using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Promotion.Host.Cluster;

/// <summary>Ready while this host's silo is an active member of the cluster; reports how many active silos it sees.</summary>
internal sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(local.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var data = new Dictionary<string, object>
        {
            ["silo"] = local.SiloAddress.ToParsableString(),
            ["siloName"] = local.Name,
            ["status"] = status.ToString(),
            ["activeSilos"] = active,
        };
        var description = $"silo {local.Name} is {status}; {active} active silo(s) in cluster {local.ClusterId}";
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy(description, data)
            : HealthCheckResult.Unhealthy(description, data: data));
    }
}
