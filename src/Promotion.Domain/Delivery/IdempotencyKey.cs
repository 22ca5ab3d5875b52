using System.Globalization;

namespace Promotion.Domain.Delivery;

/// <summary>
/// The key every send carries, derived from (campaign, member, channel) so a resumed shard or a
/// retry-failed pass re-sends with the same key and the sender can drop the duplicate.
/// </summary>
public static class IdempotencyKey
{
    /// <summary>
    /// The key for <paramref name="memberId"/> on <paramref name="channel"/> in the campaign
    /// <paramref name="rootCampaignId"/> (for a retry-failed pass: the campaign it retries).
    /// </summary>
    public static string For(Guid rootCampaignId, long memberId, Channel channel) =>
        string.Create(CultureInfo.InvariantCulture, $"{rootCampaignId:N}:{memberId}:{channel.ToWire()}");
}
