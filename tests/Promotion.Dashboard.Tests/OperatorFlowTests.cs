using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Promotion.Dashboard.Tests;

public sealed class OperatorFlowTests : IAsyncLifetime
{
    private readonly Chromium _chromium = new();

    // 2,000 members, every one with an inbox: 2,000 sends at 200/s take about ten seconds, long
    // enough to pause and resume; one in twenty sends fails for good, so the failures view has rows.
    private readonly DashboardHost _host = new(
        ("Promotion:Demo:Members", "2000"),
        ("Promotion:Shards:PageSize", "50"),
        ("Promotion:Senders:Simulated:Latency", "00:00:00.010"),
        ("Promotion:Senders:Simulated:TransientFailureRate", "0"),
        ("Promotion:Senders:Simulated:PermanentFailureRate", "0.05"));

    public Task InitializeAsync() => _chromium.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Operator_creates_a_campaign_pauses_and_resumes_it_watches_it_reach_100_percent_and_opens_its_failures()
    {
        // A schedule with a follow-up, as an operator would have made through the API.
        using (var http = new HttpClient { BaseAddress = new Uri(_host.Url) })
        {
            var schedule = await http.PostAsJsonAsync("/api/hot-goods-schedules", new
            {
                segment = "gamers",
                cron = "0 0 10 ? * MON",
                topK = 3,
                followUp = new { name = "Thank-you push", message = new { title = "Thanks", body = "See you" }, channels = new[] { "inbox" } },
            });
            Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
        }

        var page = await _chromium.NewPageAsync(_host.Url);
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("campaigns-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("live")).ToHaveClassAsync(new Regex("ok"));
        await Expect(page.GetByTestId("nodes-table")).ToContainTextAsync("worker");
        await Expect(page.GetByTestId("queues-table")).ToContainTextAsync("promotion-login-events");
        await Expect(page.GetByTestId("coupons-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("schedules-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("schedules-table")).ToContainTextAsync("Thank-you push");
        await Chromium.ScreenshotAsync(page, "01-overview");

        // Create a campaign through the form.
        await page.GetByTestId("new-campaign").ClickAsync();
        await page.GetByTestId("create-name").FillAsync("Browser test: night sale");
        await page.GetByTestId("create-title").FillAsync("The night sale starts now");
        await page.GetByTestId("create-body").FillAsync("Everything 30% off until dawn.");
        await page.Locator("#create-form input[name=channels][value=app]").UncheckAsync();
        await page.Locator("#create-form input[name=channels][value=inbox]").CheckAsync();
        await page.GetByTestId("create-shard-size").FillAsync("100");
        await page.GetByTestId("create-rate").FillAsync("200");
        await Chromium.ScreenshotAsync(page, "02-create-form");
        await SubmitCreateFormAsync(page);
        await page.WaitForURLAsync(new Regex("#/campaigns/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("campaign-name")).ToHaveTextAsync("Browser test: night sale");

        // Pause while it runs; resume.
        await Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("Running");
        await Expect(page.GetByTestId("pause")).ToBeEnabledAsync();
        await page.GetByTestId("pause").ClickAsync();
        await Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("Paused");
        await Expect(page.GetByTestId("resume")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("shard-grid").Locator(".shard")).ToHaveCountAsync(20);
        await Chromium.ScreenshotAsync(page, "03-paused");
        await page.GetByTestId("resume").ClickAsync();
        await Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync(new Regex("Running|Completed"));

        // Watch the progress bar reach 100 %.
        var progress = page.Locator(".progress.big");
        await Expect(progress).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 90_000 });
        await Expect(progress).ToContainTextAsync("100 %");
        await Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync("Completed");
        await Expect(page.GetByTestId("shard-grid").Locator(".shard.done")).ToHaveCountAsync(20);
        await Chromium.ScreenshotAsync(page, "04-completed");

        // The failures view: reasons and the report.
        await page.GetByTestId("tab-failures").ClickAsync();
        await Expect(page.GetByTestId("failures-view")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("reasons-table")).ToContainTextAsync("failed");
        await Chromium.ScreenshotAsync(page, "05-failures");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-csv").ClickAsync());
        var report = Path.Combine(Chromium.ScreenshotDirectory, "failures-report.csv");
        await download.SaveAsAsync(report);
        var lines = await File.ReadAllLinesAsync(report);
        Assert.Equal("memberId,channel,reason,at", lines[0]);
        Assert.True(lines.Length > 1, "the report lists the failed members");
        Assert.All(lines.Skip(1), l => Assert.Contains(",inbox,", l, StringComparison.Ordinal));

        // Back on the overview the campaign shows complete.
        await page.GetByText("← Campaigns").ClickAsync();
        var row = page.GetByTestId("campaign-row").Filter(new() { HasText = "Browser test: night sale" });
        await Expect(row.Locator(".progress")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(row).ToContainTextAsync("Completed");
        await Chromium.ScreenshotAsync(page, "06-overview-after");
    }

    // Submits the create form and waits for the API's answer, so that a failure says which step broke
    // (no request sent, an error answer, or a slow one) instead of only "no navigation".
    private static async Task SubmitCreateFormAsync(IPage page)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IResponse created;
        try
        {
            created = await page.RunAndWaitForResponseAsync(
                () => page.GetByTestId("create-submit").ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/api/campaigns", StringComparison.Ordinal),
                new() { Timeout = 60_000 });
        }
        catch (TimeoutException e)
        {
            await Chromium.ScreenshotAsync(page, "02-create-no-answer");
            var dialogOpen = await page.Locator("#create-dialog").GetAttributeAsync("open") is not null;
            var error = await page.Locator("#create-error").TextContentAsync();
            throw new TimeoutException($"no answer to POST /api/campaigns within 60 s of submitting the form; dialog {(dialogOpen ? "open" : "closed")}, form error '{error}', page {page.Url}", e);
        }

        Assert.True(created.Status == 201, $"POST /api/campaigns answered {created.Status} after {clock.Elapsed.TotalSeconds:0.0} s: {await created.TextAsync()}");
    }
}
