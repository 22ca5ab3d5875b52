using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>Asks a planner to cut the campaign into shards and dispatch them.</summary>
public sealed record PlanCampaign(Guid CampaignId) : IJobMessage;
