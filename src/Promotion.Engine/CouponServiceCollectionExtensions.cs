using Microsoft.Extensions.Configuration;
using Promotion.Engine.Coupons;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers lazy coupons: coupon campaigns, login event ingestion and the issuer.</summary>
public static class CouponServiceCollectionExtensions
{
    /// <summary>
    /// Registers lazy coupons with options bound from <paramref name="promotion"/> (the
    /// <c>Promotion</c> section, keys under <c>Coupons</c> and <c>LoginEvents</c>): the commands
    /// for the API, the login-event publisher, the ledger restorer, and, when
    /// <paramref name="worker"/>, the login issuer (used by the partition grains), the batching
    /// coupon writer and the campaign mirror. Needs adapters for ICouponStore, ICouponLedger and
    /// IMemberDirectory, and the <see cref="LoginStreams.Provider"/> stream provider on the silo.
    /// </summary>
    public static IServiceCollection AddPromotionCoupons(this IServiceCollection services, IConfiguration promotion, bool worker)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        services.AddOptions<CouponOptions>().Bind(promotion.GetSection("Coupons"))
            .Validate(o => o.WriteBatch is >= 1 and <= 100_000, "Promotion:Coupons:WriteBatch must be between 1 and 100,000")
            .Validate(o => o.MirrorInterval >= TimeSpan.FromMilliseconds(100), "Promotion:Coupons:MirrorInterval must be at least 100 ms")
            .Validate(o => o.RestoreLease >= TimeSpan.FromSeconds(5), "Promotion:Coupons:RestoreLease must be at least 5 seconds")
            .ValidateOnStart();
        services.AddOptions<LoginEventOptions>().Bind(promotion.GetSection("LoginEvents"))
            .Validate(o => o.Partitions is >= 1 and <= 256, "Promotion:LoginEvents:Partitions must be between 1 and 256")
            .Validate(o => o.RetryFor >= TimeSpan.FromSeconds(1), "Promotion:LoginEvents:RetryFor must be at least 1 second")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(1) && o.PollInterval <= TimeSpan.FromSeconds(10), "Promotion:LoginEvents:PollInterval must be between 1 ms and 10 s")
            .ValidateOnStart();
        services.AddSingleton<CouponCommands>();
        services.AddSingleton<ILoginEventPublisher, StreamLoginEventPublisher>();
        services.AddSingleton<CouponLedgerRestorer>();
        if (worker)
        {
            services.AddSingleton<IssuedCouponWriter>();
            services.AddHostedService(sp => sp.GetRequiredService<IssuedCouponWriter>());
            services.AddSingleton<CouponIssuer>();
            services.AddHostedService<CouponCampaignMirror>();
        }

        return services;
    }
}
