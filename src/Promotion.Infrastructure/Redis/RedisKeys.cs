using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>Builds the engine's Redis key names under the configured prefix.</summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private readonly string _prefix = options.Value.KeyPrefix;

    /// <summary>The configured prefix.</summary>
    public string Prefix => _prefix;

    /// <summary>Start of every coupon ledger key; the Lua scripts build per-campaign keys from it.</summary>
    public string CouponPrefix => _prefix + "coupons:";

    /// <summary>Hash: coupon campaign id to its rule (JSON: from, to in unix ms, segment, limited).</summary>
    public RedisKey CouponCampaigns => CouponPrefix + "campaigns";

    /// <summary>Hash: member id to "p" (issued, write pending) or "w" (written) for one coupon campaign.</summary>
    public RedisKey CouponIssued(Guid couponCampaignId) => CouponPrefix + couponCampaignId.ToString("D") + ":issued";

    /// <summary>Integer: stock left of one coupon campaign with limited stock.</summary>
    public RedisKey CouponStock(Guid couponCampaignId) => CouponPrefix + couponCampaignId.ToString("D") + ":stock";

    /// <summary>String, set when a restore completed: its absence means the ledger lost its data.</summary>
    public RedisKey CouponsRestored => CouponPrefix + "restored";

    /// <summary>String with expiry: the host restoring the coupon ledger.</summary>
    public RedisKey CouponsRestoreLock => CouponPrefix + "restore-lock";
}
