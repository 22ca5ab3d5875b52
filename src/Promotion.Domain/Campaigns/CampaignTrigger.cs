namespace Promotion.Domain.Campaigns;

/// <summary>What can happen to a campaign; <see cref="CampaignStateMachine"/> says what each leads to.</summary>
public enum CampaignTrigger
{
    /// <summary>The planner took the campaign.</summary>
    StartPlanning,
    /// <summary>Shards are written and dispatched.</summary>
    FinishPlanning,
    /// <summary>Operator: stop taking new pages.</summary>
    Pause,
    /// <summary>Operator: continue from the checkpoints.</summary>
    Resume,
    /// <summary>Operator: stop for good.</summary>
    Cancel,
    /// <summary>The last shard finished (or the audience was empty).</summary>
    Complete,
    /// <summary>Planning failed or a shard failed beyond its retries.</summary>
    Fail,
}
