namespace Promotion.Domain.Campaigns;

/// <summary>The kind of sharded job a campaign is; each kind is one class on the same runtime.</summary>
public enum CampaignKind
{
    /// <summary>An operator's push to everyone or a segment.</summary>
    Push,
    /// <summary>A follow-up pass over the members a campaign failed to reach permanently (retry-failed).</summary>
    Retry,
    /// <summary>A scheduled hot-goods push to a segment.</summary>
    HotGoods,
}
