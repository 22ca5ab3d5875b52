namespace Promotion.Domain.Campaigns;

/// <summary>Where a shard is. Changes only through <see cref="CampaignStateMachine"/>.</summary>
public enum ShardStatus
{
    /// <summary>Waiting for a worker (new, released on pause, or re-dispatched).</summary>
    Pending,
    /// <summary>Leased by a worker, which checkpoints after every page.</summary>
    Running,
    /// <summary>Every member of the range was handled.</summary>
    Done,
    /// <summary>Attempted more often than allowed; its members after the checkpoint are not sent.</summary>
    Failed,
    /// <summary>The campaign was cancelled.</summary>
    Cancelled,
}
