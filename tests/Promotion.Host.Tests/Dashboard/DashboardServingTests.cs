using System.Net;
using System.Text.Json;

namespace Promotion.Host.Tests.Dashboard;

public sealed class DashboardServingTests
{
    [Fact]
    public async Task The_dashboard_is_served_at_the_root_with_its_script_and_styles()
    {
        await using var factory = PromotionHostFactory.Embedded(("Promotion:Demo:Campaign", "false"));
        using var client = factory.CreateClient();

        var index = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var html = await index.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Equal("no-cache", index.Headers.CacheControl?.ToString());

        var script = await client.GetAsync("/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/api/stats", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app.css")).StatusCode);
    }

    [Fact]
    public async Task The_admin_api_is_described_by_an_openapi_document()
    {
        await using var factory = PromotionHostFactory.Embedded(("Promotion:Demo:Campaign", "false"));
        using var client = factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/campaigns", "/api/campaigns/{id}", "/api/campaigns/{id}/pause", "/api/campaigns/{id}/shards", "/api/campaigns/{id}/shards/summary", "/api/campaigns/{id}/throughput", "/api/stats" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        Assert.True(paths.GetProperty("/api/campaigns").GetProperty("post").TryGetProperty("requestBody", out _));
        Assert.Equal("Promotion admin API", document.RootElement.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_api_reference_page_is_served_over_the_openapi_document_and_linked_from_the_dashboard()
    {
        await using var factory = PromotionHostFactory.Embedded(("Promotion:Demo:Campaign", "false"));
        using var client = factory.CreateClient();

        var page = await client.GetAsync("/api-docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        // Its script is served by the host, not fetched from elsewhere.
        var script = System.Text.RegularExpressions.Regex.Match(html, "<script[^>]+src=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(script.Contains("//", StringComparison.Ordinal), script);
        var scriptResponse = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/api-docs/"), script));
        Assert.Equal(HttpStatusCode.OK, scriptResponse.StatusCode);

        Assert.Contains("href=\"/api-docs\"", await client.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_without_the_api_role_serves_neither_dashboard_nor_stats()
    {
        await using var factory = PromotionHostFactory.Embedded(("Promotion:Roles", "worker"), ("Promotion:Demo:Campaign", "false"));
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}
