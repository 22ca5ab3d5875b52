namespace Promotion.Engine.Nodes;

/// <summary>What a host says about itself on every heartbeat.</summary>
/// <param name="NodeId">Unique per host process.</param>
/// <param name="Roles">The roles the host plays (api, worker, scheduler).</param>
/// <param name="At">When the heartbeat was taken, from the host's <see cref="TimeProvider"/>.</param>
/// <param name="InFlightSends">Sends in flight on the host right now.</param>
/// <param name="ShardsHeld">Shard leases the host holds right now.</param>
/// <param name="SendAttempts">Sender calls per campaign this host made since it started, for the campaigns it
/// worked on lately (see <see cref="Diagnostics.CampaignSendTally"/>); null from hosts that send nothing.</param>
public sealed record NodeHeartbeat(
    string NodeId,
    IReadOnlyList<string> Roles,
    DateTimeOffset At,
    int InFlightSends,
    int ShardsHeld,
    IReadOnlyDictionary<Guid, long>? SendAttempts = null)
{
    /// <summary>True when the host runs shard workers.</summary>
    public bool IsWorker => Roles.Contains("worker", StringComparer.Ordinal);
}
