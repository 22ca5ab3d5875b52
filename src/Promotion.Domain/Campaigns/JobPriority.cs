namespace Promotion.Domain.Campaigns;

/// <summary>How urgently a job's shards are served.</summary>
public enum JobPriority
{
    /// <summary>Served first.</summary>
    High,
    /// <summary>The default.</summary>
    Normal,
    /// <summary>Served last, but never starved.</summary>
    Low,
}
