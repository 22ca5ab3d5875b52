using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Promotion.Dashboard.Tests;

public sealed class NodeListTests : IAsyncLifetime
{
    private readonly Chromium _chromium = new();

    // 1,000 members at 20 sends/s: fifty seconds of a running campaign whose shards the node list names,
    // long enough for a browser that starts slowly on a loaded machine; the test cancels it.
    private readonly DashboardHost _host = new(
        ("Promotion:Demo:Members", "1000"),
        ("Promotion:Shards:PageSize", "50"),
        ("Promotion:Senders:Simulated:TransientFailureRate", "0"),
        ("Promotion:Senders:Simulated:PermanentFailureRate", "0"));

    public Task InitializeAsync() => _chromium.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task The_hosts_panel_shows_the_shards_each_silo_runs_and_links_both_reference_pages()
    {
        var page = await _chromium.NewPageAsync(_host.Url);
        await page.GotoAsync("/");

        using var http = new HttpClient { BaseAddress = new Uri(_host.Url) };
        var created = await http.PostAsJsonAsync("/api/campaigns", new { name = "node list", message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize = 100, maxSendsPerSecond = 20 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await Expect(page.GetByTestId("api-docs-link")).ToHaveAttributeAsync("href", "/api-docs");
        await Expect(page.GetByTestId("orleans-link")).ToHaveAttributeAsync("href", "/dashboard/");
        // The silo's row names the running campaign's shards by campaign (first 8 characters) and number.
        var shards = page.GetByTestId("node-shards").First;
        await Expect(shards).ToContainTextAsync(id[..8], new() { Timeout = 20_000 });
        await Expect(shards).ToContainTextAsync(new System.Text.RegularExpressions.Regex("#\\d"));
        await Chromium.ScreenshotAsync(page, "node-list-shards");

        // Stopping the host need not wait for the campaign.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/campaigns/{id}/cancel", null)).StatusCode);
    }
}
