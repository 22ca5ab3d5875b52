namespace Promotion.Domain.Campaigns;

/// <summary>What can happen to a shard.</summary>
public enum ShardTrigger
{
    /// <summary>A shard grain started working it (also when a new activation takes it over).</summary>
    Start,
    /// <summary>The shard grain gave it back at its checkpoint (pause, graceful stop).</summary>
    Release,
    /// <summary>The range is exhausted.</summary>
    Finish,
    /// <summary>Too many attempts.</summary>
    Fail,
    /// <summary>The campaign was cancelled.</summary>
    Cancel,
}
