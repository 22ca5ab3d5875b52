using Orleans.Dashboard;
using Promotion.Host.Composition;
using Promotion.Host.Dashboard;
using Promotion.Host.Endpoints;
using Promotion.Host.Security;

namespace Promotion.Host;

/// <summary>Builds the web host: health endpoints always, the admin surface on hosts with the api role.</summary>
internal static partial class PromotionWebHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = PromotionSettings.Read(builder.Configuration);
        builder.AddPromotion(settings);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiKeys(settings.ApiKeys);
        app.MapHealthEndpoints();
        if (settings.Roles.HasFlag(HostRoles.Api))
        {
            app.UsePromotionDashboard();
            app.MapOrleansDashboard(routePrefix: "/dashboard");
            app.MapCampaignEndpoints();
            app.MapSegmentEndpoints();
            app.MapCouponEndpoints();
            app.MapLoginEventEndpoints();
            app.MapHotGoodsEndpoints();
        }

        app.Lifetime.ApplicationStarted.Register(() =>
            LogStarted(app.Logger, settings.Profile, string.Join(",", settings.RoleNames), string.Join(", ", app.Urls)));
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Promotion engine started: profile {Profile}, roles {Roles}; dashboard and API at {Urls}")]
    private static partial void LogStarted(ILogger logger, HostProfile profile, string roles, string urls);
}
