using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Promotion.Engine.Cluster;

/// <summary>How many worker silos are active, from this silo's view of the membership (no I/O).</summary>
public sealed class ActiveWorkers(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>Active silos that play the worker role; at least 1 (whoever asks is working).</summary>
    public int Count() => Math.Max(1, Active());

    /// <summary>True when no worker silo is active, so no worker grain can be placed: the last one is stopping.</summary>
    public bool NoneActive() => Active() == 0;

    private int Active() => membership.CurrentSnapshot.Members.Values.Count(m =>
        m.Status == SiloStatus.Active
        && metadata.GetSiloMetadata(m.SiloAddress).Metadata.TryGetValue(SiloRoles.MetadataKey, out var roles)
        && roles.Split(',').Contains(SiloRoles.Worker, StringComparer.Ordinal));
}
