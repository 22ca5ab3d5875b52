using Orleans;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Delivery;

/// <summary>
/// The silo's push grain: the one door to its in-flight window, retries and senders. A shard hands
/// it a whole page in one call (never a call per member); the call returns when every send of the
/// page has its final outcome.
/// </summary>
[Alias("promotion.push")]
public interface IPushGrain : IGrainWithIntegerKey
{
    /// <summary>Sends the page; the outcomes are in the order of <see cref="PushPage.Sends"/>.</summary>
    /// <remarks>A page of a throttled campaign takes as long as its limit makes it: pages are sized to a few seconds of the limit, and the timeout leaves room for retries.</remarks>
    [Alias("send-page")]
    [ResponseTimeout("00:10:00")]
    Task<PushOutcome[]> SendPageAsync(PushPage page);
}

/// <summary>One page of sends of one campaign.</summary>
/// <param name="CampaignId">The campaign.</param>
/// <param name="MaxSendsPerSecond">Its cluster-wide send limit, if any.</param>
/// <param name="Title">Message title.</param>
/// <param name="Body">Message body.</param>
/// <param name="Payload">Kind-specific JSON for the sender, if any.</param>
/// <param name="Sends">One entry per member and channel.</param>
[GenerateSerializer, Alias("promotion.push-page")]
public sealed record PushPage(
    [property: Id(0)] Guid CampaignId,
    [property: Id(1)] int? MaxSendsPerSecond,
    [property: Id(2)] string Title,
    [property: Id(3)] string Body,
    [property: Id(4)] string? Payload,
    [property: Id(5)] PushSend[] Sends);

/// <summary>One send of a page.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Contact">The member's address on the channel.</param>
/// <param name="IdempotencyKey">Derived from (campaign, member, channel): the same on every re-send.</param>
[GenerateSerializer, Alias("promotion.push-send")]
public readonly record struct PushSend(
    [property: Id(0)] long MemberId,
    [property: Id(1)] Channel Channel,
    [property: Id(2)] string Contact,
    [property: Id(3)] string IdempotencyKey);

/// <summary>A send's final outcome, after retries.</summary>
/// <param name="Outcome">Sent or Failed.</param>
/// <param name="Reason">Why it failed.</param>
[GenerateSerializer, Alias("promotion.push-outcome")]
public readonly record struct PushOutcome([property: Id(0)] DeliveryOutcome Outcome, [property: Id(1)] string? Reason);
