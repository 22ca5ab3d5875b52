using System.Collections.Concurrent;

namespace Promotion.Engine.Campaigns;

/// <summary>The shards this silo is working right now (for the node list).</summary>
public sealed class ShardActivity
{
    private readonly ConcurrentDictionary<ShardRef, byte> _working = new();

    /// <summary>Shards started here and not yet ended, paused or given back.</summary>
    public int Working => _working.Count;

    /// <summary>Up to <paramref name="limit"/> of the shards working here, in campaign and shard order.</summary>
    public IReadOnlyList<ShardRef> List(int limit) =>
        [.. _working.Keys.OrderBy(s => s.CampaignId).ThenBy(s => s.ShardNo).Take(limit)];

    internal void Enter(ShardRef shard) => _working.TryAdd(shard, 0);

    internal void Leave(ShardRef shard) => _working.TryRemove(shard, out _);
}
