using Microsoft.Extensions.Configuration;
using Promotion.Infrastructure.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis adapters.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers one multiplexer for <paramref name="connectionString"/> (it connects in the
    /// background and reconnects by itself), the hot-goods frequency cap and the <c>redis</c> health check.
    /// </summary>
    public static IServiceCollection AddPromotionRedis(this IServiceCollection services, string connectionString, IConfiguration section)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddOptions<RedisOptions>().Bind(section);
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // Start even when Redis is down; the health check reports it and calls fail until it returns.
            options.AbortOnConnectFail = false;
            options.ConnectRetry = 3;
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<RedisKeys>();
        services.AddSingleton<Promotion.Engine.HotGoods.IFrequencyCap, RedisFrequencyCap>();
        services.AddSingleton<Promotion.Engine.Coupons.ICouponLedger, RedisCouponLedger>();
        services.AddHealthChecks().AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: "redis", tags: ["ready"], timeout: TimeSpan.FromSeconds(2));
        return services;
    }
}
