namespace Promotion.Domain.Campaigns;

/// <summary>Where a campaign is in its life. Changes only through <see cref="CampaignStateMachine"/>.</summary>
public enum CampaignStatus
{
    /// <summary>Accepted; waiting for the planner.</summary>
    Pending,
    /// <summary>The planner is cutting the audience into shards.</summary>
    Planning,
    /// <summary>Shards are being sent.</summary>
    Running,
    /// <summary>Stopped taking new pages; resumes from the checkpoints.</summary>
    Paused,
    /// <summary>Every shard finished; counts are final.</summary>
    Completed,
    /// <summary>Stopped by an operator; in-flight sends finished, nothing more is sent.</summary>
    Cancelled,
    /// <summary>Planning failed, or a shard failed beyond its retries.</summary>
    Failed,
}
