using System.Text.RegularExpressions;
using System.Web;
using Microsoft.Playwright;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;
using Promotion.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Promotion.Dashboard.Tests;

/// <summary>
/// 1,000 campaigns and one of 10,000 shards, seeded straight into the in-memory stores of an
/// api-only host (nothing runs them). The page's requests over several polling ticks are counted
/// and inspected: each is a bounded page or window, never the whole list.
/// </summary>
public sealed class ScaleTests : IAsyncLifetime
{
    private const int Campaigns = 1_000;
    private const int Shards = 10_000;
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;

    private readonly Chromium _chromium = new();
    private readonly DashboardHost _host = new(("Promotion:Roles", "api"), ("Promotion:Demo:Members", "0"));
    private readonly List<string> _requests = [];
    private Guid _big;

    public async Task InitializeAsync()
    {
        await _chromium.InitializeAsync();
        var campaigns = _host.Get<ICampaignStore>();
        var shards = _host.Get<IShardStore>();
        for (var i = 0; i < Campaigns; i++)
        {
            await campaigns.CreateAsync(Draft($"campaign {i:0000}"), T0.AddSeconds(i), default);
        }

        // The big one: 10,000 shards of 10 members; 3,000 done, 50 running, 10 failed, the rest pending.
        _big = (await campaigns.CreateAsync(Draft("ten thousand shards"), T0.AddHours(1), default)).Id;
        await campaigns.TransitionAsync(_big, CampaignTrigger.StartPlanning, T0, default);
        await campaigns.SaveShardsAsync(_big, [.. Enumerable.Range(0, Shards).Select(n => new ShardRange(n, 1 + (n * 10L), 11 + (n * 10L)))], Shards * 10L, default);
        await campaigns.TransitionAsync(_big, CampaignTrigger.FinishPlanning, T0, default);
        for (var n = 0; n < 3_050; n++)
        {
            var shard = new ShardRef(_big, n);
            var work = await shards.StartAsync(shard, "seed-silo", default);
            if (n < 3_000)
            {
                await shards.CheckpointAsync(new ShardCheckpoint(shard, work!.Epoch, 10 + (n * 10L), 9, 1, 0, [], []), default);
                await shards.EndAsync(shard, work.Epoch, ShardTrigger.Finish, default);
            }
        }

        for (var n = Shards - 10; n < Shards; n++)
        {
            var shard = new ShardRef(_big, n);
            await shards.EndAsync(shard, (await shards.StartAsync(shard, "seed-silo", default))!.Epoch, ShardTrigger.Fail, default);
        }

        // The counters the campaign grain would have aggregated.
        await shards.AggregateAsync(_big, DateTimeOffset.UtcNow, default);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task The_dashboard_pages_a_thousand_campaigns_and_windows_ten_thousand_shards()
    {
        var page = await _chromium.NewPageAsync(_host.Url);
        page.Request += (_, r) =>
        {
            if (new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
            {
                lock (_requests)
                {
                    _requests.Add(r.Url);
                }
            }
        };

        // Overview: the newest page of campaigns only.
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("campaigns-total")).ToContainTextAsync("1,001 campaigns");
        await Expect(page.GetByTestId("campaign-row")).ToHaveCountAsync(20);
        await WaitForTicksAsync("/api/stats", 4);
        await Chromium.ScreenshotAsync(page, "10-overview-1000-campaigns");
        var overview = Take();
        var ticks = overview.Count(u => Path(u) == "/api/stats");
        AssertBounded(overview, ticks, perTick: 4, optionalProbes: 0);
        Assert.All(overview.Where(u => Path(u) is "/api/campaigns" or "/api/coupon-campaigns"), u => Assert.True(int.Parse(Query(u)["pageSize"]!) <= 50, u));
        Assert.DoesNotContain(overview, u => Regex.IsMatch(Path(u), "^/api/campaigns/[0-9a-f-]{36}"));

        // Paging moves to older campaigns, still one page per tick.
        await page.GetByTestId("page-next").ClickAsync();
        await Expect(page.GetByTestId("campaigns-total")).ToContainTextAsync("page 2 of 51");

        // The big campaign: a bucketed summary and a 500-shard window, never 10,000 rows.
        await page.GotoAsync($"/#/campaigns/{_big}");
        await Expect(page.GetByTestId("shard-window")).ToHaveTextAsync("shards 0–499 of 10,000");
        await Expect(page.GetByTestId("shard-grid").Locator(".shard")).ToHaveCountAsync(500);
        await Expect(page.GetByTestId("shard-grid").Locator(".shard.done")).ToHaveCountAsync(500);
        await Expect(page.GetByTestId("shard-strip").Locator(".bucket")).ToHaveCountAsync(100);
        Take();
        await WaitForTicksAsync($"/api/campaigns/{_big}/throughput", 4);
        var campaignPage = Take();
        ticks = campaignPage.Count(u => Path(u) == $"/api/campaigns/{_big}/throughput");
        AssertBounded(campaignPage, ticks, perTick: 4, optionalProbes: 0);
        var windows = campaignPage.Where(u => Path(u) == $"/api/campaigns/{_big}/shards").ToList();
        Assert.NotEmpty(windows);
        Assert.All(windows, u => Assert.True(int.Parse(Query(u)["limit"]!) <= 500, u));
        Assert.All(campaignPage.Where(u => Path(u).EndsWith("/shards/summary", StringComparison.Ordinal)), u => Assert.Equal("100", Query(u)["buckets"]));
        Assert.DoesNotContain(campaignPage, u => Path(u) == "/api/stats");

        // Moving the window: next page, then a click on the last bucket of the overview strip.
        await page.GetByTestId("shards-next").ClickAsync();
        await Expect(page.GetByTestId("shard-window")).ToHaveTextAsync("shards 500–999 of 10,000");
        await page.GetByTestId("shard-strip").Locator(".bucket").Last.ClickAsync();
        await Expect(page.GetByTestId("shard-window")).ToHaveTextAsync("shards 9,500–9,999 of 10,000");
        await Expect(page.GetByTestId("shard-grid").Locator(".shard.failed")).ToHaveCountAsync(10);
        await page.GetByTestId("shard-strip").Locator(".bucket").Nth(30).ClickAsync();
        await Expect(page.GetByTestId("shard-window")).ToHaveTextAsync("shards 3,000–3,499 of 10,000");
        await Expect(page.GetByTestId("shard-grid").Locator(".shard.running")).ToHaveCountAsync(50);
        await Chromium.ScreenshotAsync(page, "11-campaign-10000-shards");

        // What each request returns is bounded too.
        using var http = new HttpClient { BaseAddress = new Uri(_host.Url) };
        foreach (var url in overview.Concat(campaignPage).Select(u => new Uri(u).PathAndQuery).Distinct())
        {
            var body = await http.GetByteArrayAsync(url);
            Assert.True(body.Length < 200_000, $"{url} returned {body.Length:N0} bytes");
        }
    }

    private static NewCampaign Draft(string name) =>
        new(name, CampaignKind.Push, JobPriority.Normal, null, new CampaignMessage("t", "b"), [Channel.Inbox], 10, 500);

    private static string Path(string url) => new Uri(url).AbsolutePath;

    private static System.Collections.Specialized.NameValueCollection Query(string url) => HttpUtility.ParseQueryString(new Uri(url).Query);

    // Each tick makes a fixed number of requests; endpoints answering 404 are probed only every fifth tick.
    private static void AssertBounded(List<string> requests, int ticks, int perTick, int optionalProbes)
    {
        Assert.True(ticks >= 3, $"saw {ticks} ticks");
        var allowed = ((ticks + 1) * perTick) + (((ticks / 5) + 1) * optionalProbes);
        Assert.True(requests.Count <= allowed, $"{requests.Count} requests in {ticks} ticks (at most {allowed}):\n{string.Join("\n", requests)}");
    }

    private Task WaitForTicksAsync(string path, int ticks) =>
        Eventually.TrueAsync(() => Snapshot().Count(u => Path(u) == path) >= ticks, TimeSpan.FromSeconds(30), $"{ticks} requests to {path}");

    private List<string> Snapshot()
    {
        lock (_requests)
        {
            return [.. _requests];
        }
    }

    private List<string> Take()
    {
        lock (_requests)
        {
            var taken = _requests.ToList();
            _requests.Clear();
            return taken;
        }
    }
}
