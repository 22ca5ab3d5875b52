using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Promotion.Engine.Stats;
using Promotion.TestSupport;

namespace Promotion.Host.Tests.Dashboard;

public sealed class StatsEndpointsTests : IAsyncLifetime
{
    private readonly PromotionHostFactory _factory = PromotionHostFactory.Embedded(
        ("Promotion:Demo:Campaign", "false"),
        ("Promotion:Stats:SampleInterval", "00:00:00.200"),
        ("Promotion:Stats:CacheFor", "00:00:00"));

    private HttpClient _api = null!;

    public Task InitializeAsync()
    {
        _api = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Stats_has_the_built_in_sections_with_this_host_its_queues_and_campaign_counts()
    {
        var id = await CreateAsync(shardSize: 50);
        JsonElement stats = default;
        await Eventually.TrueAsync(async () =>
        {
            stats = await _api.GetFromJsonAsync<JsonElement>("/api/stats");
            return stats.GetProperty("nodes").GetProperty("alive").GetInt32() == 1;
        }, TimeSpan.FromSeconds(10), "this host's silo in the stats");

        foreach (var section in new[] { "at", "host", "campaigns", "shards", "throughput", "nodes", "queues" })
        {
            Assert.True(stats.TryGetProperty(section, out _), section);
        }

        Assert.Equal(1, stats.GetProperty("campaigns").GetProperty("total").GetInt64());
        Assert.Equal("Embedded", stats.GetProperty("host").GetProperty("profile").GetString());
        var node = stats.GetProperty("nodes").GetProperty("items")[0];
        Assert.Equal(["api", "worker", "scheduler"], node.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Active", node.GetProperty("status").GetString());
        Assert.True(node.GetProperty("startedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        Assert.Equal(stats.GetProperty("host").GetProperty("nodeId").GetString(), node.GetProperty("nodeId").GetString());
        var queues = stats.GetProperty("queues").GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(queues, q => q.GetProperty("name").GetString() == "promotion-login-events.0");
        Assert.All(queues, q => Assert.Equal(JsonValueKind.Null, q.GetProperty("messages").ValueKind));
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("queues").GetProperty("total").ValueKind);
        await WaitUntilEndedAsync(id);
    }

    [Fact]
    public async Task Shards_are_read_in_windows_and_as_a_bucketed_summary_never_all_at_once()
    {
        var id = await CreateAsync(shardSize: 10); // 500 demo members: 50 shards
        await Eventually.TrueAsync(async () => (await _api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("shards").GetProperty("total").GetInt32() == 50,
            TimeSpan.FromSeconds(20), "the campaign to be planned");

        var window = await _api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/shards?from=10&limit=5");
        Assert.Equal(50, window.GetProperty("total").GetInt32());
        Assert.Equal([10, 11, 12, 13, 14], window.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("shardNo").GetInt32()));
        var first = window.GetProperty("items")[0];
        Assert.Equal(10 * 10 + 1, first.GetProperty("lo").GetInt64());

        var summary = await _api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/shards/summary?buckets=7");
        var buckets = summary.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(7, buckets.Count);
        Assert.Equal(0, buckets[0].GetProperty("from").GetInt32());
        Assert.Equal(49, buckets[^1].GetProperty("to").GetInt32());
        var counted = buckets.Sum(b => new[] { "pending", "running", "done", "failed", "cancelled" }.Sum(s => b.GetProperty(s).GetInt32()));
        Assert.Equal(50, counted);
        Assert.Equal(50, summary.GetProperty("counts").GetProperty("total").GetInt32());

        await AssertInvalidAsync($"/api/campaigns/{id}/shards?limit=1001", "limit");
        await AssertInvalidAsync($"/api/campaigns/{id}/shards?from=-1", "from");
        await AssertInvalidAsync($"/api/campaigns/{id}/shards/summary?buckets=0", "buckets");
        await AssertInvalidAsync("/api/campaigns/not-a-uuid/shards", "id");
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/api/campaigns/{Guid.NewGuid()}/shards")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/api/campaigns/{Guid.NewGuid()}/shards/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/api/campaigns/{Guid.NewGuid()}/throughput")).StatusCode);
        await WaitUntilEndedAsync(id);
    }

    [Fact]
    public async Task A_running_campaign_shows_its_send_rate_against_its_limit_over_time()
    {
        var id = await CreateAsync(shardSize: 50, maxSendsPerSecond: 100);
        JsonElement t = default;
        await Eventually.TrueAsync(async () =>
        {
            t = await _api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/throughput");
            return t.GetProperty("sendsPerSecond").GetDouble() > 0 && t.GetProperty("points").GetArrayLength() >= 2;
        }, TimeSpan.FromSeconds(20), "a send rate sampled from the silos");

        Assert.Equal(100, t.GetProperty("maxSendsPerSecond").GetInt32());
        Assert.Equal(1, t.GetProperty("channels").GetInt32());
        Assert.Equal(0.2, t.GetProperty("intervalSeconds").GetDouble());
        var live = (await _api.GetFromJsonAsync<JsonElement>("/api/stats")).GetProperty("campaigns").GetProperty("live");
        Assert.Contains(live.EnumerateArray(), c => c.GetProperty("id").GetGuid() == id);

        // The node list names the shards this silo runs and its own send rate.
        JsonElement node = default;
        await Eventually.TrueAsync(async () =>
        {
            node = (await _api.GetFromJsonAsync<JsonElement>("/api/stats")).GetProperty("nodes").GetProperty("items")[0];
            return node.GetProperty("sendsPerSecond").GetDouble() > 0 && node.GetProperty("shards").GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(20), "the silo's shards and send rate in the node list");
        var shards = node.GetProperty("shards").EnumerateArray().ToList();
        Assert.All(shards, s => Assert.Equal(id, s.GetProperty("campaignId").GetGuid()));
        Assert.True(shards.Count <= node.GetProperty("shardsWorking").GetInt32() + 1, "the list is the shards it counts");
        Assert.All(shards, s => Assert.InRange(s.GetProperty("shardNo").GetInt32(), 0, 9));
        await WaitUntilEndedAsync(id);
    }

    [Fact]
    public async Task A_section_contributed_through_di_appears_in_the_stats()
    {
        await using var factory = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddStatsSection<CouponsSection>()));
        using var api = factory.CreateClient();

        var stats = await api.GetFromJsonAsync<JsonElement>("/api/stats");

        Assert.Equal(42, stats.GetProperty("couponCampaigns").GetProperty("issued").GetInt64());
    }

    private async Task<Guid> CreateAsync(int shardSize, int? maxSendsPerSecond = null)
    {
        var response = await _api.PostAsJsonAsync("/api/campaigns", new
        {
            name = "stats",
            message = new { title = "t", body = "b" },
            channels = new[] { "inbox" },
            shardSize,
            maxSendsPerSecond,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    // A host stopping mid-campaign waits for the shards in flight; an ended campaign lets it stop at once.
    private Task WaitUntilEndedAsync(Guid id) =>
        Eventually.TrueAsync(async () => (await _api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("status").GetString() is "Completed" or "Cancelled" or "Failed",
            TimeSpan.FromSeconds(60), $"campaign {id} to end");

    private async Task AssertInvalidAsync(string url, string field)
    {
        var response = await _api.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    private sealed class CouponsSection : IStatsSection
    {
        public string Name => "couponCampaigns";

        public Task<object?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult<object?>(new { total = 1, issued = 42L, items = Array.Empty<object>() });
    }
}
