using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.FileProviders;
using Microsoft.OpenApi;
using Promotion.Host.Endpoints;
using Scalar.AspNetCore;
using Promotion.Host.Security;

namespace Promotion.Host.Dashboard;

/// <summary>
/// The operator's surface on hosts with the api role: the dashboard at <c>/</c> (static files
/// embedded in this assembly), <c>/api/stats</c> and the per-campaign shard and rate endpoints,
/// the OpenAPI document of the admin API at <c>/openapi/v1.json</c> and its reference page
/// (Scalar) at <c>/api-docs</c>, behind the same operator key or session as the dashboard.
/// </summary>
internal static class DashboardComposition
{
    private const string ApiKeyScheme = "ApiKey";

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
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyMiddleware.Header,
                Description = "Required when the host has API keys configured (always in the distributed profile): 401 without a valid key. "
                    + "Operator keys may call everything; producer keys only POST /api/events/... (403 elsewhere).",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] }];
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Where the API reference page is served.</summary>
    public const string ApiDocsPath = "/api-docs";

    /// <summary>Serves the dashboard's files and maps the stats endpoints, the OpenAPI document and its reference page.</summary>
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
        // The page and the document it loads sit behind the API key middleware like the dashboard;
        // a signed-in browser's session cookie goes with the page's own requests (same origin).
        app.MapScalarApiReference(ApiDocsPath, o => o
            .WithTitle("Promotion admin API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes(ApiKeyScheme));
        return app;
    }
}
