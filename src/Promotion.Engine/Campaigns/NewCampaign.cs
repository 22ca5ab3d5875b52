using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>What a store needs to create a campaign (status Pending, no shards yet).</summary>
/// <remarks>
/// <see cref="Id"/> makes creation idempotent: a store given an id that already exists returns that
/// campaign unchanged, so a re-run of the same work (a scheduler firing taken over from a dead host)
/// creates nothing new. Without it the store picks a fresh time-ordered id.
/// </remarks>
[Orleans.GenerateSerializer, Orleans.Alias("promotion.new-campaign")]
public sealed record NewCampaign(
    [property: Orleans.Id(0)] string Name,
    [property: Orleans.Id(1)] CampaignKind Kind,
    [property: Orleans.Id(2)] JobPriority Priority,
    [property: Orleans.Id(3)] string? Segment,
    [property: Orleans.Id(4)] CampaignMessage Message,
    [property: Orleans.Id(5)] IReadOnlyList<Channel> Channels,
    [property: Orleans.Id(6)] int ShardSize,
    [property: Orleans.Id(7)] int? MaxSendsPerSecond,
    [property: Orleans.Id(8)] Guid? ParentId = null,
    [property: Orleans.Id(9)] Guid? RootId = null,
    [property: Orleans.Id(10)] Guid? AfterId = null,
    [property: Orleans.Id(11)] Guid? Id = null);
