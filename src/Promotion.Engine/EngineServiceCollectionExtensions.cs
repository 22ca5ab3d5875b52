using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Nodes;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the engine's runtime; adapters for its ports are registered by the host.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine for a host with <paramref name="identity"/>: the clock, the
    /// instruments and the heartbeat, with options bound from <paramref name="promotion"/>
    /// (the <c>Promotion</c> configuration section).
    /// </summary>
    public static IServiceCollection AddPromotionEngine(this IServiceCollection services, IConfiguration promotion, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(identity);
        services.AddSingleton<PromotionInstruments>();
        services.AddOptions<HeartbeatOptions>().Bind(promotion.GetSection("Heartbeat"))
            .Validate(o => o.Interval > TimeSpan.Zero && o.Timeout > o.Interval, "Promotion:Heartbeat:Timeout must be longer than Promotion:Heartbeat:Interval, both positive")
            .ValidateOnStart();
        services.AddHostedService<HeartbeatService>();
        return services;
    }
}
