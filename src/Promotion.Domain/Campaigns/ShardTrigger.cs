namespace Promotion.Domain.Campaigns;

/// <summary>What can happen to a shard.</summary>
public enum ShardTrigger
{
    /// <summary>A worker took the lease (also when taking over an expired one).</summary>
    Lease,
    /// <summary>The worker gave the lease back (pause, graceful stop).</summary>
    Release,
    /// <summary>The range is exhausted.</summary>
    Finish,
    /// <summary>Too many attempts.</summary>
    Fail,
    /// <summary>The campaign was cancelled.</summary>
    Cancel,
}
