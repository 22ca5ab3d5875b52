using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>
/// Scheduled hot-goods pushes end to end: Quartz's clustered AdoJobStore on PostgreSQL across
/// separate host processes, a cron firing every 10 s, campaigns through RabbitMQ to the webhook.
/// </summary>
public sealed class HotGoodsTests : IAsyncLifetime
{
    private const string EveryTenSeconds = "0/10 * * * * ?";

    // A killed scheduler's firings are taken over within a few seconds instead of Quartz's default ~15 s.
    private static readonly (string, string)[] FastCluster =
    [
        ("Promotion:Quartz:ClusterCheckinInterval", "00:00:02"),
        ("Promotion:Quartz:ClusterCheckinMisfireThreshold", "00:00:02"),
        ("Promotion:Quartz:IdleWaitTime", "00:00:01"),
    ];

    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Each_firing_starts_one_campaign_across_two_hosts_survives_killing_the_host_that_ran_the_last_and_caps_members()
    {
        await _cluster.SeedMembersAsync(3_000);
        await _cluster.SeedGoodsAsync(2_000, 7, "toys,books,games");
        var a = await _cluster.StartHostAsync("api,worker,scheduler", FastCluster);
        var b = await _cluster.StartHostAsync("api,worker,scheduler", FastCluster);
        var hosts = new[] { a, b };
        using var apiA = _cluster.ApiClient(a);
        using var apiB = _cluster.ApiClient(b);

        Assert.Equal(HttpStatusCode.OK, (await apiA.PutAsJsonAsync("/api/segments/gamers/categories", new { categories = new[] { "toys", "games" } })).StatusCode);
        var id = await CreateScheduleAsync(apiA, "gamers");

        // About three firings, both hosts competing for each.
        var firings = await WaitForFiringsAsync(apiB, id, 3, TimeSpan.FromSeconds(60));
        var times = firings.Select(f => f.ScheduledAt).Order().ToList();
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(10), p.Second - p.First));
        await AssertOneCampaignPerFiringAsync(apiA, id);

        // The first push reached every gamer; the later ones found every gamer capped.
        var campaigns = await HotGoodsCampaignsAsync(apiA);
        var first = await Cluster.WaitForStatusAsync(apiA, campaigns[^1].Id, "Completed", TimeSpan.FromSeconds(60));
        var gamers = first.GetProperty("audienceSize").GetInt64();
        Assert.True(gamers > 500, $"{gamers} gamers");
        Assert.Equal(gamers, first.GetProperty("sent").GetInt64());
        var second = await Cluster.WaitForStatusAsync(apiA, campaigns[^2].Id, "Completed", TimeSpan.FromSeconds(60));
        Assert.Equal(0, second.GetProperty("sent").GetInt64());
        Assert.Equal(gamers, second.GetProperty("skipped").GetInt64());
        var reasons = await apiA.GetFromJsonAsync<JsonElement>($"/api/campaigns/{campaigns[^2].Id}/failures/reasons", Cluster.Json);
        var reason = Assert.Single(reasons.GetProperty("items").EnumerateArray());
        Assert.Equal("frequency cap", reason.GetProperty("reason").GetString());
        Assert.Equal(gamers, reason.GetProperty("count").GetInt64());
        Assert.Contains("\"goods\":[{\"rank\":1", _cluster.Receiver.LastRequest!.Body, StringComparison.Ordinal);

        // Kill the host that ran the last firing: the next one still happens, on the other host.
        var last = (await FiringsAsync(apiB, id)).OrderByDescending(f => f.ScheduledAt).First();
        var victim = hosts.Single(h => last.NodeId.Contains($"-{h.Pid.ToString(CultureInfo.InvariantCulture)}-", StringComparison.Ordinal));
        var survivor = victim == a ? b : a;
        using var api = _cluster.ApiClient(survivor);
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;

        Firing? next = null;
        await Eventually.TrueAsync(async () =>
        {
            next = (await FiringsAsync(api, id)).FirstOrDefault(f => f.ScheduledAt > killedAt && f.Outcome == "Campaign");
            return next is not null;
        }, TimeSpan.FromSeconds(45), "a firing after the kill");
        Assert.DoesNotContain($"-{victim.Pid.ToString(CultureInfo.InvariantCulture)}-", next!.NodeId, StringComparison.Ordinal);
        await AssertOneCampaignPerFiringAsync(api, id);

        // However many firings, no member got more than one hot-goods push.
        var hotGoods = (await HotGoodsCampaignsAsync(api)).Select(c => c.Id).ToHashSet();
        var perMember = _cluster.Receiver.Arrivals.Where(x => hotGoods.Contains(x.CampaignId)).GroupBy(x => x.MemberId).ToList();
        Assert.Equal(gamers, perMember.Count);
        Assert.All(perMember, g => Assert.Single(g));
    }

    [Fact]
    public async Task After_downtime_spanning_several_periods_a_schedule_fires_once_then_keeps_its_cron_and_each_firing_is_followed_up()
    {
        await _cluster.SeedMembersAsync(500);
        await _cluster.SeedGoodsAsync(200, 3, "toys");
        var api = await _cluster.StartHostAsync("api,worker", FastCluster);
        var scheduler = await _cluster.StartHostAsync("scheduler", FastCluster);
        using var http = _cluster.ApiClient(api);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/segments/vip/categories", new { categories = new[] { "toys" } })).StatusCode);
        var followUp = new { name = "After hot goods", audience = new { segment = "vip" }, message = new { title = "More for you", body = "See the app" }, channels = new[] { "email" } };
        var id = await CreateScheduleAsync(http, "vip", followUp);
        await WaitForFiringsAsync(http, id, 1, TimeSpan.FromSeconds(30));

        // Every scheduler host down for more than two periods.
        scheduler.Kill();
        var downAt = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow - downAt > TimeSpan.FromSeconds(26), TimeSpan.FromSeconds(40), "three periods of downtime");
        var beforeRestart = await FiringsAsync(http, id);
        Assert.Single(beforeRestart);

        var restartedAt = DateTimeOffset.UtcNow;
        await _cluster.StartHostAsync("scheduler", FastCluster);
        // Wait for the first regular firing after the restart; everything missed must have become one firing.
        await Eventually.TrueAsync(async () => (await FiringsAsync(http, id)).Any(f => f.ScheduledAt > restartedAt && f.Outcome is not null),
            TimeSpan.FromSeconds(40), "the first regular firing after the restart");
        var firings = await FiringsAsync(http, id);
        var missed = (int)((restartedAt - beforeRestart[0].ScheduledAt).TotalSeconds / 10);
        Assert.True(missed >= 2, $"{missed} periods were missed");
        var catchUp = firings.Where(f => f.ScheduledAt > beforeRestart[0].ScheduledAt && f.ScheduledAt < restartedAt).ToList();
        Assert.True(catchUp.Count == 1, $"{catchUp.Count} catch-up firings for {missed} missed periods: {string.Join(", ", firings.Select(f => f.ScheduledAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture)))}");
        Assert.True(catchUp[0].ClaimedAt >= restartedAt);
        Assert.All(firings, f => Assert.Equal("Campaign", f.Outcome));
        await AssertOneCampaignPerFiringAsync(http, id);

        // The schedule's follow-up: one per firing, started only once its firing's campaign completed.
        Assert.Equal(firings.Count, firings.Select(f => f.FollowUpId).Distinct().Count());
        foreach (var firing in firings)
        {
            var parent = await Cluster.WaitForStatusAsync(http, firing.CampaignId!.Value, "Completed", TimeSpan.FromSeconds(60));
            var child = await Cluster.WaitForStatusAsync(http, firing.FollowUpId!.Value, "Completed", TimeSpan.FromSeconds(60));
            Assert.Equal(firing.CampaignId, child.GetProperty("after").GetGuid());
            Assert.True(child.GetProperty("startedAt").GetDateTimeOffset() >= parent.GetProperty("completedAt").GetDateTimeOffset(), "a follow-up started before its campaign completed");
            Assert.Equal(parent.GetProperty("audienceSize").GetInt64(), child.GetProperty("sent").GetInt64());
        }
    }

    private static async Task<Guid> CreateScheduleAsync(HttpClient api, string segment, object? followUp = null)
    {
        var response = await api.PostAsJsonAsync("/api/hot-goods-schedules", new { segment, cron = EveryTenSeconds, topK = 3, channels = new[] { "inbox" }, followUp }, Cluster.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cluster.Json)).GetProperty("id").GetGuid();
    }

    private static async Task<IReadOnlyList<Firing>> FiringsAsync(HttpClient api, Guid id)
    {
        var body = await api.GetFromJsonAsync<JsonElement>($"/api/hot-goods-schedules/{id}/firings", Cluster.Json);
        return [.. body.GetProperty("items").EnumerateArray().Select(f => new Firing(
            f.GetProperty("scheduledAt").GetDateTimeOffset(),
            f.GetProperty("nodeId").GetString()!,
            f.GetProperty("claimedAt").GetDateTimeOffset(),
            f.GetProperty("outcome").ValueKind == JsonValueKind.Null ? null : f.GetProperty("outcome").GetString(),
            f.GetProperty("campaignId").ValueKind == JsonValueKind.Null ? null : f.GetProperty("campaignId").GetGuid(),
            f.GetProperty("followUpId").ValueKind == JsonValueKind.Null ? null : f.GetProperty("followUpId").GetGuid()))];
    }

    private static async Task<IReadOnlyList<Firing>> WaitForFiringsAsync(HttpClient api, Guid id, int count, TimeSpan timeout)
    {
        IReadOnlyList<Firing> firings = [];
        await Eventually.TrueAsync(async () => (firings = await FiringsAsync(api, id)).Count(f => f.Outcome is not null) >= count, timeout, $"{count} firings");
        return firings;
    }

    // Newest first.
    private static async Task<IReadOnlyList<(Guid Id, string Name)>> HotGoodsCampaignsAsync(HttpClient api)
    {
        var body = await api.GetFromJsonAsync<JsonElement>("/api/campaigns?kind=HotGoods&pageSize=200", Cluster.Json);
        return [.. body.GetProperty("items").EnumerateArray().Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("name").GetString()!))];
    }

    // Every hot-goods campaign belongs to exactly one firing and every finished firing to one campaign; names carry the fire time.
    private static Task AssertOneCampaignPerFiringAsync(HttpClient api, Guid scheduleId) =>
        Eventually.TrueAsync(async () =>
        {
            var campaigns = await HotGoodsCampaignsAsync(api);
            var firings = (await FiringsAsync(api, scheduleId)).Where(f => f.Outcome is not null).ToList();
            Assert.Equal(campaigns.Count, campaigns.Select(c => c.Name).Distinct().Count());
            return campaigns.Select(c => c.Id).Order().SequenceEqual(firings.Select(f => f.CampaignId!.Value).Order());
        }, TimeSpan.FromSeconds(5), "one campaign per firing");

    private sealed record Firing(DateTimeOffset ScheduledAt, string NodeId, DateTimeOffset ClaimedAt, string? Outcome, Guid? CampaignId, Guid? FollowUpId);
}
