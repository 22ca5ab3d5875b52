namespace Promotion.Domain.HotGoods;

/// <summary>Whether a hot-goods schedule fires.</summary>
public enum HotGoodsScheduleStatus
{
    /// <summary>Fires on its cron.</summary>
    Active,
    /// <summary>Fires nothing until resumed; on resume it fires once for the periods it missed, then keeps its cron.</summary>
    Paused,
}
