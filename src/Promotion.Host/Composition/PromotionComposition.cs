using Promotion.Engine.Nodes;
using Promotion.Host.Demo;

namespace Promotion.Host.Composition;

/// <summary>Composes the engine with the adapters of the configured profile.</summary>
internal static class PromotionComposition
{
    /// <summary>Registers everything the host needs for <paramref name="settings"/>.</summary>
    public static WebApplicationBuilder AddPromotion(this WebApplicationBuilder builder, PromotionSettings settings)
    {
        var services = builder.Services;
        var promotion = builder.Configuration.GetSection("Promotion");
        services.AddSingleton(settings);
        services.AddPromotionEngine(promotion, NodeIdentity.ForThisProcess(settings.RoleNames));
        services.AddHealthChecks();

        if (settings.Profile == HostProfile.Distributed)
        {
            services.AddPromotionPostgres(settings.PostgresConnectionString!);
            services.AddPromotionRedis(settings.RedisConnectionString!, promotion.GetSection("Redis"));
            services.AddPromotionMessaging(settings.RabbitMqConnectionString, routes => JobQueues.Declare(routes, settings.Roles));
        }
        else
        {
            services.AddPromotionInMemoryStores();
            services.AddPromotionMessaging(rabbitMqConnectionString: null, routes => JobQueues.Declare(routes, settings.Roles));
            services.AddOptions<DemoOptions>().Bind(promotion.GetSection("Demo"))
                .Validate(o => o.Members is >= 0 and <= 5_000_000, "Promotion:Demo:Members must be between 0 and 5,000,000")
                .ValidateOnStart();
            services.AddHostedService<DemoDataService>();
        }

        return builder;
    }
}
