using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Promotion.Engine.Cluster;

/// <summary>One silo of the cluster as the membership table and its published metadata describe it.</summary>
/// <param name="Name">The silo's name: the host's node id (<see cref="Nodes.NodeIdentity.NodeId"/>).</param>
/// <param name="Address">Its silo endpoint and generation, e.g. <c>S127.0.0.1:11111:123456</c>.</param>
/// <param name="Status">Joining, Active, ShuttingDown, Stopping or Dead.</param>
/// <param name="Roles">The roles it plays (api, worker, scheduler).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastAliveAt">When it last wrote its I-am-alive time to the membership table.</param>
public sealed record ClusterNode(string Name, string Address, string Status, IReadOnlyList<string> Roles, DateTimeOffset StartedAt, DateTimeOffset LastAliveAt)
{
    /// <summary>True while the silo takes part in the cluster.</summary>
    public bool IsActive => Status == nameof(SiloStatus.Active);

    /// <summary>True when the silo plays <paramref name="role"/>.</summary>
    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// The cluster's silos, read from Orleans membership (the management grain) with the roles each
/// silo published as metadata. Silos declared dead stay listed for <see cref="DeadKeptFor"/>, so an
/// operator sees a host that just died.
/// </summary>
public sealed class ClusterNodes(IGrainFactory grains, ISiloMetadataCache metadata, TimeProvider time)
{
    /// <summary>How long a dead silo stays in the list.</summary>
    public static readonly TimeSpan DeadKeptFor = TimeSpan.FromMinutes(5);

    /// <summary>Every silo not long dead, ordered by name.</summary>
    public async Task<IReadOnlyList<ClusterNode>> ListAsync()
    {
        var entries = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        var now = time.GetUtcNow();
        return [.. entries
            .Where(e => e.Status != SiloStatus.Dead || now - AsUtc(e.IAmAliveTime) < DeadKeptFor)
            .Select(e => new ClusterNode(
                e.SiloName,
                e.SiloAddress.ToParsableString(),
                e.Status.ToString(),
                RolesOf(e.SiloAddress),
                AsUtc(e.StartTime),
                AsUtc(e.IAmAliveTime)))
            .OrderBy(n => n.Name, StringComparer.Ordinal)];
    }

    private string[] RolesOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SiloRoles.MetadataKey, out var roles)
            ? roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    private static DateTimeOffset AsUtc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));
}
