using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>Job priorities (per-priority queues served with aging) and follow-up campaigns.</summary>
[Collection(Collections.Alone)]
public sealed class PriorityAndFollowUpTests : IAsyncLifetime
{
    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_high_priority_campaign_behind_a_large_low_one_starts_before_the_low_one_ends_and_the_low_one_keeps_going()
    {
        const int members = 30_000;
        const int concurrentShards = 2;
        const int shardSize = 500;
        const int pageSize = 250;
        var lowHandicap = TimeSpan.FromSeconds(5);
        await _cluster.SeedMembersAsync(members);
        _cluster.Receiver.Latency = TimeSpan.FromMilliseconds(10);
        var host = await _cluster.StartHostAsync("api,worker",
            ("Promotion:Shards:ConcurrentShards", $"{concurrentShards}"), ("Promotion:Shards:PageSize", $"{pageSize}"),
            ("Promotion:Shards:NormalHandicap", "00:00:02"), ("Promotion:Shards:LowHandicap", lowHandicap.ToString()));
        using var api = _cluster.ApiClient(host);

        var low = await Cluster.CreateCampaignAsync(api, new
        {
            name = "big low", priority = "low", message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize, maxSendsPerSecond = 3000,
        });
        await Eventually.TrueAsync(() => _cluster.Receiver.Arrivals.Count > 2_000, TimeSpan.FromMinutes(1), "the low campaign to be sending");
        var high = await Cluster.CreateCampaignAsync(api, new
        {
            name = "urgent", priority = "high", audience = new { segment = "vip" }, message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize,
        });
        await _cluster.WaitForStatusAsync(api, high, "Completed", TimeSpan.FromMinutes(2));
        await _cluster.WaitForStatusAsync(api, low, "Completed", TimeSpan.FromMinutes(3));

        var order = _cluster.Receiver.Arrivals.ToList();
        var firstHigh = order.FindIndex(a => a.CampaignId == high);
        var lastHigh = order.FindLastIndex(a => a.CampaignId == high);
        var lastLow = order.FindLastIndex(a => a.CampaignId == low);
        Assert.True(firstHigh >= 0 && lastHigh < lastLow, "the high campaign must send all it has before the low backlog ends");

        // Slots are granted per page. Once high pages wait, a low page gets a slot only when it has
        // waited the low handicap longer than they have; so while the high one sends, the low one gets
        // the pages in flight when the first high page was admitted, plus at most one page per started
        // low shard (twice the slots) each time the handicap elapses. Without priorities the started
        // shards of both would simply take turns.
        var highRan = order[lastHigh].At - order[firstHigh].At;
        var agings = 1 + (int)(highRan / lowHandicap);
        var lowWhileHighRan = order.Skip(firstHigh).Take(lastHigh - firstHigh).Count(a => a.CampaignId == low);
        var allowed = (concurrentShards + concurrentShards * 2 * agings) * pageSize;
        Assert.True(lowWhileHighRan <= allowed,
            $"{lowWhileHighRan} low sends went out during the {highRan.TotalSeconds:F1} s the high campaign sent (at most {allowed})");
        // The low one was not starved: it kept progressing while the high one ran, and finished.
        Assert.True(lowWhileHighRan > 0, "the low campaign must keep sending while the high one runs");
        Assert.Equal(members, order.Count(a => a.CampaignId == low));
    }

    [Fact]
    public async Task A_throttled_campaign_holds_no_slot_so_a_campaign_created_after_it_sends_at_once()
    {
        const int members = 20_000;
        await _cluster.SeedMembersAsync(members);
        var host = await _cluster.StartHostAsync("api,worker");
        using var api = _cluster.ApiClient(host);

        // As the embedded demo does: everyone at 400/s, fifty seconds if it ran alone.
        var slow = await Cluster.CreateCampaignAsync(api, new
        {
            name = "throttled", message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize = 500, maxSendsPerSecond = 400,
        });
        await Eventually.TrueAsync(() => _cluster.Receiver.Arrivals.Any(a => a.CampaignId == slow), TimeSpan.FromMinutes(1), "the throttled campaign to be sending");
        var quick = await Cluster.CreateCampaignAsync(api, new
        {
            name = "right after", audience = new { segment = "vip" }, message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize = 1000,
        });

        var done = await _cluster.WaitForStatusAsync(api, quick, "Completed", TimeSpan.FromMinutes(1));
        var throttled = await Cluster.GetCampaignAsync(api, slow);
        Assert.Equal("Running", throttled.GetProperty("status").GetString());
        Assert.True(throttled.GetProperty("sent").GetInt64() < members);
        Assert.Equal(done.GetProperty("audienceSize").GetInt64(), _cluster.Receiver.Arrivals.Count(a => a.CampaignId == quick));
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/campaigns/{slow}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task A_follow_up_starts_only_after_its_campaign_completes_and_never_after_a_cancelled_one()
    {
        await _cluster.SeedMembersAsync(5_000);
        var host = await _cluster.StartHostAsync("api,worker");
        using var api = _cluster.ApiClient(host);
        var message = new { title = "t", body = "b" };

        var first = await Cluster.CreateCampaignAsync(api, new { name = "first", message, channels = new[] { "inbox" }, maxSendsPerSecond = 2500 });
        var next = await Cluster.CreateCampaignAsync(api, new { name = "next", message, channels = new[] { "inbox" }, after = first });
        Assert.Equal("Pending", (await Cluster.GetCampaignAsync(api, next)).GetProperty("status").GetString());
        await _cluster.WaitForStatusAsync(api, first, "Completed", TimeSpan.FromMinutes(1));
        var done = await _cluster.WaitForStatusAsync(api, next, "Completed", TimeSpan.FromMinutes(1));
        Assert.Equal(5_000, done.GetProperty("sent").GetInt64());
        Assert.Equal(first, done.GetProperty("after").GetGuid());
        var order = _cluster.Receiver.Arrivals.ToList();
        Assert.True(order.FindLastIndex(a => a.CampaignId == first) < order.FindIndex(a => a.CampaignId == next), "the follow-up sent before its campaign ended");

        var slow = await Cluster.CreateCampaignAsync(api, new { name = "slow", message, channels = new[] { "inbox" }, maxSendsPerSecond = 200 });
        var never = await Cluster.CreateCampaignAsync(api, new { name = "never", message, channels = new[] { "inbox" }, after = slow });
        await Eventually.TrueAsync(() => _cluster.Receiver.Arrivals.Any(a => a.CampaignId == slow), TimeSpan.FromSeconds(30), "the slow campaign to send");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/campaigns/{slow}/cancel", null)).StatusCode);
        await _cluster.WaitForStatusAsync(api, never, "Cancelled", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(_cluster.Receiver.Arrivals, a => a.CampaignId == never);

        // A follow-up of a campaign that already ended without completing is refused.
        var refused = await api.PostAsJsonAsync("/api/campaigns", new { name = "late", message, channels = new[] { "inbox" }, after = slow });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("after", out _));
    }
}
