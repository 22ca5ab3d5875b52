using Orleans;
using Orleans.Concurrency;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.Delivery;

/// <summary>
/// A stateless worker in front of the silo's <see cref="PushFanOut"/>: one reentrant activation per
/// worker silo, so every shard on the silo shares its window. The sends run on the thread pool, not
/// on the grain's scheduler: a page is hundreds of concurrent sends. A page whose sends wait for a
/// campaign limiter that has nowhere left to run (the last worker is stopping) fails with a
/// cancellation (see <see cref="SendLimits"/>): its shard was not checkpointed and resumes from the
/// last checkpoint.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
[SiloRole(SiloRoles.Worker)]
internal sealed class PushGrain(PushFanOut fanOut, SendLimits limits) : Grain, IPushGrain
{
    public Task<PushOutcome[]> SendPageAsync(PushPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var limiter = page.MaxSendsPerSecond is { } perSecond ? limits.For(page.CampaignId, perSecond) : null;
        return Task.Run(async () =>
        {
            var sends = new Task<(Domain.Delivery.DeliveryOutcome Outcome, string? Reason)>[page.Sends.Length];
            for (var i = 0; i < sends.Length; i++)
            {
                var s = page.Sends[i];
                sends[i] = fanOut.SendAsync(
                    new OutgoingMessage(page.CampaignId, s.MemberId, s.Channel, s.Contact, page.Title, page.Body, s.IdempotencyKey, page.Payload), limiter, CancellationToken.None);
            }

            var outcomes = await Task.WhenAll(sends);
            return Array.ConvertAll(outcomes, o => new PushOutcome(o.Outcome, o.Reason));
        });
    }
}
