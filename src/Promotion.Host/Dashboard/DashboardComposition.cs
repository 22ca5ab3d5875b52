using Microsoft.Extensions.FileProviders;
using Promotion.Host.Endpoints;

namespace Promotion.Host.Dashboard;

/// <summary>
/// The operator's surface on hosts with the api role: the dashboard at <c>/</c> (static files
/// embedded in this assembly), <c>/api/stats</c> and the per-campaign shard and rate endpoints,
/// and the OpenAPI document of the admin API at <c>/openapi/v1.json</c>.
/// </summary>
internal static class DashboardComposition
{
    /// <summary>Registers the stats collector and sampler, the host section and the OpenAPI document.</summary>
    public static WebApplicationBuilder AddPromotionDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddPromotionStats(builder.Configuration.GetSection("Promotion"));
        builder.Services.AddStatsSection<HostStatsSection>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Promotion admin API";
            document.Info.Description = "Campaigns, coupons, hot-goods schedules, event ingestion and the dashboard's statistics. "
                + "JSON in camelCase; errors are RFC 7807 problem details, a 400 naming each bad field. "
                + "When API keys are configured, send one in X-Api-Key.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Serves the dashboard's files and maps the stats endpoints and the OpenAPI document.</summary>
    public static WebApplication UsePromotionDashboard(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardComposition).Assembly, "Promotion.Host.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Revalidate on every load: a new build must never leave an operator on a stale page.
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapStatsEndpoints();
        app.MapOpenApi();
        return app;
    }
}
