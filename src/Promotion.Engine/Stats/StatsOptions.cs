namespace Promotion.Engine.Stats;

/// <summary>Dashboard statistics, bound from <c>Promotion:Stats</c>.</summary>
public sealed class StatsOptions
{
    /// <summary>How often send and member rates are sampled (also the dashboard's chart resolution).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How far back each campaign's rate history goes.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Campaigns whose rates are tracked at once (open ones first, newest first).</summary>
    public int MaxTrackedCampaigns { get; set; } = 500;

    /// <summary><c>GET /api/stats</c> answers from a snapshot at most this old, so many dashboards cost one read.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A section that takes longer is reported as an error instead of holding up the others.</summary>
    public TimeSpan SectionTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
