using Promotion.Domain.Delivery;

namespace Promotion.Engine.Delivery;

/// <summary>One send to one member on one channel.</summary>
/// <param name="CampaignId">Campaign sending it.</param>
/// <param name="MemberId">Recipient.</param>
/// <param name="Channel">Channel.</param>
/// <param name="Contact">Address on that channel (email, phone, device token, member id for the inbox).</param>
/// <param name="Title">Title.</param>
/// <param name="Body">Body.</param>
/// <param name="IdempotencyKey">From (campaign, member, channel); the same on every re-send.</param>
/// <param name="Payload">Optional JSON of the campaign kind.</param>
public sealed record OutgoingMessage(Guid CampaignId, long MemberId, Channel Channel, string Contact, string Title, string Body, string IdempotencyKey, string? Payload);
