namespace Promotion.Engine.Campaigns;

/// <summary>How many shards this silo is working right now (for the node list).</summary>
public sealed class ShardActivity
{
    private int _working;

    /// <summary>Shards started here and not yet ended, paused or given back.</summary>
    public int Working => Volatile.Read(ref _working);

    internal void Enter() => Interlocked.Increment(ref _working);

    internal void Leave() => Interlocked.Decrement(ref _working);
}
