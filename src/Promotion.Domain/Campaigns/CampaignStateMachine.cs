namespace Promotion.Domain.Campaigns;

/// <summary>
/// The one place that says which campaign and shard status changes are legal. Stores apply a
/// change only as compare-and-set from the status this class was asked about, so two writers
/// can never both win.
/// </summary>
public static class CampaignStateMachine
{
    private static readonly Dictionary<(CampaignStatus, CampaignTrigger), CampaignStatus> CampaignMoves = new()
    {
        [(CampaignStatus.Pending, CampaignTrigger.StartPlanning)] = CampaignStatus.Planning,
        [(CampaignStatus.Pending, CampaignTrigger.Cancel)] = CampaignStatus.Cancelled,
        [(CampaignStatus.Pending, CampaignTrigger.Fail)] = CampaignStatus.Failed,
        // A campaign grain that died while planning plans again when it is reactivated.
        [(CampaignStatus.Planning, CampaignTrigger.StartPlanning)] = CampaignStatus.Planning,
        [(CampaignStatus.Planning, CampaignTrigger.FinishPlanning)] = CampaignStatus.Running,
        [(CampaignStatus.Planning, CampaignTrigger.Complete)] = CampaignStatus.Completed,
        [(CampaignStatus.Planning, CampaignTrigger.Cancel)] = CampaignStatus.Cancelled,
        [(CampaignStatus.Planning, CampaignTrigger.Fail)] = CampaignStatus.Failed,
        [(CampaignStatus.Running, CampaignTrigger.Pause)] = CampaignStatus.Paused,
        [(CampaignStatus.Running, CampaignTrigger.Cancel)] = CampaignStatus.Cancelled,
        [(CampaignStatus.Running, CampaignTrigger.Complete)] = CampaignStatus.Completed,
        [(CampaignStatus.Running, CampaignTrigger.Fail)] = CampaignStatus.Failed,
        [(CampaignStatus.Paused, CampaignTrigger.Resume)] = CampaignStatus.Running,
        [(CampaignStatus.Paused, CampaignTrigger.Cancel)] = CampaignStatus.Cancelled,
    };

    private static readonly Dictionary<(ShardStatus, ShardTrigger), ShardStatus> ShardMoves = new()
    {
        [(ShardStatus.Pending, ShardTrigger.Start)] = ShardStatus.Running,
        [(ShardStatus.Pending, ShardTrigger.Cancel)] = ShardStatus.Cancelled,
        // A new activation (its silo died, or Orleans ran a second one) takes the shard over: it stays Running under a new epoch.
        [(ShardStatus.Running, ShardTrigger.Start)] = ShardStatus.Running,
        [(ShardStatus.Running, ShardTrigger.Release)] = ShardStatus.Pending,
        [(ShardStatus.Running, ShardTrigger.Finish)] = ShardStatus.Done,
        [(ShardStatus.Running, ShardTrigger.Fail)] = ShardStatus.Failed,
        [(ShardStatus.Running, ShardTrigger.Cancel)] = ShardStatus.Cancelled,
    };

    /// <summary>The status <paramref name="trigger"/> leads to from <paramref name="from"/>.</summary>
    /// <exception cref="IllegalTransitionException">The change is not allowed; the message says why in operator terms.</exception>
    public static CampaignStatus Next(CampaignStatus from, CampaignTrigger trigger) =>
        CampaignMoves.TryGetValue((from, trigger), out var to)
            ? to
            : throw new IllegalTransitionException($"cannot {Verb(trigger)} a campaign that is {from}");

    /// <summary>True when <paramref name="trigger"/> is allowed from <paramref name="from"/>.</summary>
    public static bool Allows(CampaignStatus from, CampaignTrigger trigger) => CampaignMoves.ContainsKey((from, trigger));

    /// <summary>The statuses from which <paramref name="trigger"/> is allowed (for compare-and-set updates).</summary>
    public static IReadOnlyList<CampaignStatus> SourcesOf(CampaignTrigger trigger) =>
        [.. CampaignMoves.Keys.Where(k => k.Item2 == trigger).Select(k => k.Item1)];

    /// <summary>The shard status <paramref name="trigger"/> leads to from <paramref name="from"/>.</summary>
    /// <exception cref="IllegalTransitionException">The change is not allowed.</exception>
    public static ShardStatus Next(ShardStatus from, ShardTrigger trigger) =>
        ShardMoves.TryGetValue((from, trigger), out var to)
            ? to
            : throw new IllegalTransitionException($"cannot {trigger.ToString().ToLowerInvariant()} a shard that is {from}");

    /// <summary>The shard statuses from which <paramref name="trigger"/> is allowed.</summary>
    public static IReadOnlyList<ShardStatus> SourcesOf(ShardTrigger trigger) =>
        [.. ShardMoves.Keys.Where(k => k.Item2 == trigger).Select(k => k.Item1)];

    /// <summary>True for statuses no trigger leaves.</summary>
    public static bool IsTerminal(CampaignStatus status) => status is CampaignStatus.Completed or CampaignStatus.Cancelled or CampaignStatus.Failed;

    /// <summary>True for shard statuses no trigger leaves.</summary>
    public static bool IsTerminal(ShardStatus status) => status is ShardStatus.Done or ShardStatus.Failed or ShardStatus.Cancelled;

    private static string Verb(CampaignTrigger trigger) => trigger switch
    {
        CampaignTrigger.StartPlanning => "plan",
        CampaignTrigger.FinishPlanning => "start",
        CampaignTrigger.Pause => "pause",
        CampaignTrigger.Resume => "resume",
        CampaignTrigger.Cancel => "cancel",
        CampaignTrigger.Complete => "complete",
        CampaignTrigger.Fail => "fail",
        _ => trigger.ToString(),
    };
}
