using Promotion.Engine.Nodes;
using Promotion.Host.Cluster;
using Promotion.Host.Dashboard;
using Promotion.Host.Demo;
using Promotion.Host.Diagnostics;

namespace Promotion.Host.Composition;

/// <summary>Composes the engine with the adapters of the configured profile.</summary>
internal static class PromotionComposition
{
    /// <summary>Registers everything the host needs for <paramref name="settings"/>.</summary>
    public static WebApplicationBuilder AddPromotion(this WebApplicationBuilder builder, PromotionSettings settings)
    {
        var services = builder.Services;
        var promotion = builder.Configuration.GetSection("Promotion");
        var worker = settings.Roles.HasFlag(HostRoles.Worker);
        services.AddSingleton(settings);
        var identity = NodeIdentity.ForThisProcess(settings.RoleNames);
        services.AddPromotionEngine(promotion, identity);
        services.AddPromotionCampaigns(promotion, worker);
        services.AddPromotionCoupons(promotion, worker);
        var scheduler = settings.Roles.HasFlag(HostRoles.Scheduler);
        // Every host may create, pause and delete schedules (the API calls their grains); scheduler silos host them.
        services.AddPromotionHotGoods(promotion, worker, scheduler);
        builder.AddPromotionTelemetry(identity);
        if (settings.Roles.HasFlag(HostRoles.Api))
        {
            builder.AddPromotionDashboard();
        }

        services.AddHealthChecks();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        // Admin and ingestion bodies are small; anything larger is refused before it is read.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Endpoints.ApiProblems.MaxBodyBytes);

        if (settings.Profile == HostProfile.Distributed)
        {
            services.AddPromotionPostgres(settings.PostgresConnectionString!);
            services.AddPromotionRedis(settings.RedisConnectionString!, promotion.GetSection("Redis"));
            services.AddPromotionLoginEventTransport(promotion.GetSection("LoginEvents"), settings.RabbitMqConnectionString, settings.ServiceBusConnectionString);
        }
        else
        {
            services.AddPromotionInMemoryStores();
            services.AddPromotionMemoryStreamDepths();
            services.AddOptions<DemoOptions>().Bind(promotion.GetSection("Demo"))
                .Validate(o => o.Members is >= 0 and <= 5_000_000, "Promotion:Demo:Members must be between 0 and 5,000,000")
                .Validate(o => o.LoginsPerSecond is >= 0 and <= 1_000, "Promotion:Demo:LoginsPerSecond must be between 0 and 1,000")
                .ValidateOnStart();
            services.AddHostedService<DemoDataService>();
            services.AddHostedService<DemoGoodsService>();
            services.AddHostedService<DemoLoginsService>();
        }

        if (worker)
        {
            if (settings.Sender == SenderKind.Webhook)
            {
                services.AddPromotionWebhookSender(promotion.GetSection("Senders:Webhook"));
            }
            else
            {
                services.AddPromotionSimulatedSender(promotion.GetSection("Senders:Simulated"));
            }
        }

        // Last: the silo starts after the hosted services registered above (schema migrations first).
        builder.AddPromotionCluster(settings, identity);
        return builder;
    }
}
