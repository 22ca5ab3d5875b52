namespace Promotion.Engine.HotGoods;

/// <summary>Hot-goods settings, bound from <c>Promotion:HotGoods</c>.</summary>
public sealed class HotGoodsOptions
{
    /// <summary>A member gets at most one hot-goods push per this period, whatever the number of schedules.</summary>
    public TimeSpan CapPeriod { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Days of statistics ranked: the firing's UTC day and the days before it.</summary>
    public int WindowDays { get; set; } = 7;

    /// <summary>Cluster-wide send limit of each hot-goods campaign, or null for none.</summary>
    public int? MaxSendsPerSecond { get; set; }

    /// <summary>
    /// A firing later than this is a misfire: the schedule was not running (cluster down, paused), and
    /// everything it missed fires once, now. A firing late by less is on time and still fires for its
    /// own occurrence, so keep it below the shortest cron period.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(5);
}
