namespace Promotion.Engine.Coupons;

/// <summary>How lazy coupons are issued; bound from <c>Promotion:Coupons</c>.</summary>
public sealed class CouponOptions
{
    /// <summary>Most issued coupons written to the store in one transaction.</summary>
    public int WriteBatch { get; set; } = 5_000;

    /// <summary>How often workers re-mirror the live campaigns to the ledger and drop ended or stopped ones.</summary>
    public TimeSpan MirrorInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest a restore may hold the ledger's restore lock; a dead restorer's lock runs out after it.</summary>
    public TimeSpan RestoreLease { get; set; } = TimeSpan.FromMinutes(5);
}
