using Promotion.Domain.Campaigns;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Asks a worker to lease and work one shard. Only a hint: the lease in the store decides who
/// works it, so duplicates and re-dispatches are harmless.
/// </summary>
public sealed record ProcessShard(Guid CampaignId, int ShardNo, JobPriority Priority) : IJobMessage;
