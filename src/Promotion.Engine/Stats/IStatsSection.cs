namespace Promotion.Engine.Stats;

/// <summary>
/// One named section of <c>GET /api/stats</c>. Register an implementation with
/// <c>services.AddStatsSection&lt;T&gt;()</c>; the collector asks every section on each (cached)
/// read and serialises what it returns as JSON (camelCase) under <see cref="Name"/>. Keep it
/// cheap: aggregates, never one row per member or per shard.
/// </summary>
public interface IStatsSection
{
    /// <summary>The section's key in the stats document (camelCase, e.g. <c>couponCampaigns</c>).</summary>
    string Name { get; }

    /// <summary>The section's content, or null to leave the section out (the dashboard then shows "none yet").</summary>
    Task<object?> ReadAsync(CancellationToken cancellationToken);
}
