using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Campaigns;

/// <summary>A page of the campaign list, newest first, optionally filtered.</summary>
public sealed record CampaignQuery(CampaignKind? Kind, CampaignStatus? Status, int Page, int PageSize);

/// <summary>One page of campaigns and the total matching.</summary>
public sealed record CampaignPage(IReadOnlyList<Campaign> Items, long Total, int Page, int PageSize);
