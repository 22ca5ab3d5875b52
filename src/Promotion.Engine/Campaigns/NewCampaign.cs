using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>What a store needs to create a campaign (status Pending, no shards yet).</summary>
public sealed record NewCampaign(
    string Name,
    CampaignKind Kind,
    JobPriority Priority,
    string? Segment,
    CampaignMessage Message,
    IReadOnlyList<Channel> Channels,
    int ShardSize,
    int? MaxSendsPerSecond,
    Guid? ParentId = null,
    Guid? RootId = null,
    Guid? AfterId = null);
