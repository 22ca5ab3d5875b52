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
}
