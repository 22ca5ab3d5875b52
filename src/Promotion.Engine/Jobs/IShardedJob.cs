using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;

namespace Promotion.Engine.Jobs;

/// <summary>
/// A kind of sharded job: how its audience is planned and how a shard reads its recipients.
/// The runtime (planner, shard worker, fan-out, checkpoints, completion) is the same for every
/// kind; adding a kind is one class implementing this, registered with
/// <c>AddShardedJob&lt;T&gt;()</c>.
/// </summary>
public interface IShardedJob
{
    /// <summary>The campaign kind this class runs.</summary>
    CampaignKind Kind { get; }

    /// <summary>Audience size and shard boundaries, from indexed aggregates.</summary>
    Task<AudiencePlan> PlanAsync(Campaign campaign, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> recipients with afterId &lt; id &lt; beforeId, in id order (a keyset page).</summary>
    Task<IReadOnlyList<Recipient>> ReadPageAsync(Campaign campaign, long afterId, long beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Called for each recipient before sending; returns a skip reason to skip the member (e.g. a
    /// frequency cap), or null to send. The default sends everyone.
    /// </summary>
    ValueTask<string?> ScreenAsync(Campaign campaign, Recipient recipient, DateTimeOffset now, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    /// <summary>
    /// Called when the recipient was screened in but every send to it failed, e.g. to give back
    /// what <see cref="ScreenAsync"/> took. The default does nothing.
    /// </summary>
    ValueTask OnUndeliveredAsync(Campaign campaign, Recipient recipient, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
