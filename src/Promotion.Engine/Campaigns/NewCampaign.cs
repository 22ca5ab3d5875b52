using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>What a store needs to create a campaign (status Pending, no shards yet).</summary>
/// <remarks>
/// <see cref="Id"/> makes creation idempotent: a store given an id that already exists returns that
/// campaign unchanged, so a re-run of the same work (a scheduler firing taken over from a dead host)
/// creates nothing new. Without it the store picks a fresh time-ordered id.
/// </remarks>
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
    Guid? AfterId = null,
    Guid? Id = null);
