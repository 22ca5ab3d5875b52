using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Promotion.Engine.Cluster;

/// <summary>The load of every active silo of the cluster.</summary>
public interface IClusterLoad
{
    /// <summary>One entry per active silo that answered.</summary>
    Task<IReadOnlyList<SiloLoad>> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Asks each active silo itself (its <see cref="ISiloLoadGrain"/>) when the dashboard or the rate
/// sampler wants to know. A silo that does not answer within a second is left out.
/// </summary>
internal sealed class ClusterLoad(IGrainFactory grains, IClusterMembershipService membership) : IClusterLoad
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<SiloLoad>> ReadAsync(CancellationToken cancellationToken)
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        var answers = await Task.WhenAll(silos.Select(s => AskAsync(s, cancellationToken)));
        // One answer per silo name: a silo restarted under the same name would otherwise count twice.
        return [.. answers.OfType<SiloLoad>().GroupBy(a => a.SiloName, StringComparer.Ordinal).Select(g => g.First())];
    }

    private async Task<SiloLoad?> AskAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            Task<SiloLoad?> call;
            // The hint places that silo's grain on it; it travels with this call only.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            try
            {
                call = grains.GetGrain<ISiloLoadGrain>(silo.ToParsableString()).ReadAsync();
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }

            return await call.WaitAsync(AnswerWithin, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or SiloUnavailableException)
        {
            return null;
        }
    }
}
