using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Promotion.Dashboard.Tests;

/// <summary>An operator signs in once in the browser and sees both dashboards; anonymous callers get 401.</summary>
public sealed class OrleansDashboardTests : IAsyncLifetime
{
    private const string OperatorKey = "operator-key-for-the-browser-test";

    private readonly Chromium _chromium = new();
    private readonly DashboardHost _host = new(("Promotion:Security:OperatorApiKeys:0", OperatorKey), ("Promotion:Demo:Members", "500"));

    public Task InitializeAsync() => _chromium.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task An_operator_signs_in_and_sees_the_silos_on_the_Orleans_Dashboard_and_the_domain_dashboard()
    {
        using (var anonymous = new HttpClient { BaseAddress = new Uri(_host.Url) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/DashboardCounters")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/")).StatusCode);
        }

        var page = await _chromium.NewPageAsync(_host.Url);
        var first = await page.GotoAsync("/dashboard/");
        Assert.Equal((int)HttpStatusCode.Unauthorized, first!.Status);
        await Expect(page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await page.GetByTestId("signin-key").FillAsync("not-the-operator-key-at-all");
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not an operator API key");

        await page.GetByTestId("signin-key").FillAsync(OperatorKey);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/dashboard/"));
        // The Orleans Dashboard's overview counts the active silos; this host is the one silo.
        await Expect(page.Locator("body")).ToContainTextAsync("Active Silos", new() { Timeout = 60_000 });
        await page.GotoAsync("/dashboard/#/silos");
        await Expect(page.Locator("body")).ToContainTextAsync(_host.Get<Promotion.Engine.Nodes.NodeIdentity>().NodeId, new() { Timeout = 60_000 });
        await Chromium.ScreenshotAsync(page, "10-orleans-dashboard");

        // The same session opens the domain dashboard, whose host list comes from the membership.
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("nodes-table")).ToContainTextAsync("Active");
        await Expect(page.GetByTestId("orleans-link")).ToHaveAttributeAsync("href", "/dashboard/");
        await Chromium.ScreenshotAsync(page, "11-signed-in-overview");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByTestId("signin-form")).ToBeVisibleAsync();
    }
}
