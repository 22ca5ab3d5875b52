using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>Sends the work messages of a campaign's pending shards, in batches.</summary>
public sealed class ShardDispatch(IShardStore shards, IJobDispatcher dispatcher, TimeProvider time)
{
    /// <summary>Dispatches every pending shard of <paramref name="campaign"/>; returns how many.</summary>
    public async Task<int> DispatchPendingAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var pending = await shards.TakePendingAsync(campaign.Id, time.GetUtcNow(), cancellationToken);
        await dispatcher.SendAsync([.. pending.Select(s => new ProcessShard(s.CampaignId, s.ShardNo, campaign.Priority))], cancellationToken);
        return pending.Count;
    }
}
