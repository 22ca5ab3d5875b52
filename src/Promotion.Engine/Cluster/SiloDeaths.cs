using System.Runtime.CompilerServices;
using Orleans.Runtime;

namespace Promotion.Engine.Cluster;

/// <summary>Silos the membership declares dead, as they are declared.</summary>
public static class SiloDeaths
{
    /// <summary>
    /// For each membership change that declares silos dead, those silos. The first snapshot is the
    /// baseline: silos dead before the caller started watching are not reported.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<ClusterMember>> WatchDeathsAsync(
        this IClusterMembershipService membership, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(membership);
        HashSet<SiloAddress>? dead = null;
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
        {
            var died = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead is not null && !dead.Contains(m.SiloAddress)).ToList();
            dead = [.. snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress)];
            if (died.Count > 0)
            {
                yield return died;
            }
        }
    }
}
