using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Promotion.TestSupport;
using Xunit.Abstractions;

namespace Promotion.Acceptance.Tests;

/// <summary>
/// Scheduled hot-goods pushes end to end: schedule grains on Orleans reminders (AdoNet, PostgreSQL)
/// and grain timers across separate host processes, a cron firing every 5 s, campaigns through
/// RabbitMQ to the webhook.
/// </summary>
public sealed partial class HotGoodsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string EveryFiveSeconds = "0/5 * * * * ?";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Two_scheduler_hosts_fire_each_occurrence_once_with_one_campaign_carry_on_after_the_one_firing_is_killed_and_cap_members()
    {
        await _cluster.SeedMembersAsync(3_000);
        await _cluster.SeedGoodsAsync(2_000, 7, "toys,books,games");
        var a = await _cluster.StartHostAsync("api,worker,scheduler");
        var b = await _cluster.StartHostAsync("api,worker,scheduler");
        var hosts = new[] { a, b };
        using var apiA = _cluster.ApiClient(a);
        using var apiB = _cluster.ApiClient(b);

        Assert.Equal(HttpStatusCode.OK, (await apiA.PutAsJsonAsync("/api/segments/gamers/categories", new { categories = new[] { "toys", "games" } })).StatusCode);
        var id = await CreateScheduleAsync(apiA, "gamers");
        var createdAt = DateTimeOffset.UtcNow;

        // The schedule's grain lists its reminder on the Orleans Dashboard (key: the schedule id).
        var reminders = await apiB.GetFromJsonAsync<JsonElement>("/dashboard/Reminders", Cluster.Json);
        Assert.Contains(reminders.GetProperty("reminders").EnumerateArray(), r =>
            r.GetProperty("primaryKey").GetString() == id.ToString("N") && r.GetProperty("name").GetString() == "hot-goods-schedule");

        // 22 seconds of a 5-second schedule: 4 or 5 occurrences, each fired once, on either host.
        var windowEnd = createdAt.AddSeconds(22);
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > windowEnd, TimeSpan.FromSeconds(30), "22 seconds of the schedule");
        IReadOnlyList<Firing> window = [];
        await Eventually.TrueAsync(async () =>
        {
            var all = await FiringsAsync(apiB, id);
            window = [.. all.Where(f => f.ScheduledAt > createdAt && f.ScheduledAt <= windowEnd).OrderBy(f => f.ScheduledAt)];
            return window.All(f => f.Outcome is not null) && all.Any(f => f.ScheduledAt > windowEnd);
        }, TimeSpan.FromSeconds(30), "the firings of the 22 seconds to finish");
        output.WriteLine($"22 s window from {createdAt:HH:mm:ss.fff}: {window.Count} firings: {Describe(window, hosts)}");
        Assert.InRange(window.Count, 4, 5);
        Assert.All(window.Zip(window.Skip(1)), p => Assert.Equal(Period, p.Second.ScheduledAt - p.First.ScheduledAt));
        Assert.All(window, f => Assert.Equal("Campaign", f.Outcome));
        Assert.All(window, f => Assert.Contains(hosts, h => Runs(h, f)));
        await AssertOneCampaignPerFiringAsync(apiA, id);

        // The first push reached every gamer; the next found every gamer capped.
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

        // SIGKILL the host that ran the last firing (its silo holds the schedule's grain): the other carries on.
        var last = (await FiringsAsync(apiB, id)).Where(f => f.Outcome is not null).MaxBy(f => f.ScheduledAt)!;
        var victim = hosts.Single(h => Runs(h, last));
        var survivor = victim == a ? b : a;
        using var api = _cluster.ApiClient(survivor);
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;

        IReadOnlyList<Firing> firings = [];
        await Eventually.TrueAsync(async () =>
        {
            firings = [.. (await FiringsAsync(api, id)).OrderBy(f => f.ScheduledAt)];
            return firings.Count(f => f.ScheduledAt > killedAt && f.Outcome is not null) >= 3;
        }, TimeSpan.FromSeconds(120), "three firings after the kill");
        await Eventually.TrueAsync(async () => (firings = [.. (await FiringsAsync(api, id)).OrderBy(f => f.ScheduledAt)]).All(f => f.Outcome is not null),
            TimeSpan.FromSeconds(30), "every firing to finish (one cut off by the kill is taken over)");
        var afterKill = firings.Where(f => f.ScheduledAt > killedAt).ToList();
        var gaps = firings.Zip(firings.Skip(1), (x, y) => (From: x, Gap: y.ScheduledAt - x.ScheduledAt)).ToList();
        var largest = gaps.MaxBy(g => g.Gap);
        output.WriteLine($"killed {Name(victim, hosts)} (pid {victim.Pid}) at {killedAt:HH:mm:ss.fff}; " +
            $"largest gap between two firings: {largest.Gap.TotalSeconds:0} s, after {largest.From.ScheduledAt:HH:mm:ss}; firings: {Describe(firings, hosts)}");
        foreach (var line in survivor.Output.Split('\n').Where(l => l.Contains("declared dead", StringComparison.Ordinal) || l.Contains("taken over", StringComparison.Ordinal)))
        {
            output.WriteLine($"{Name(survivor, hosts)}: {line.Trim()}");
        }

        Assert.All(afterKill, f => Assert.True(Runs(survivor, f), $"{f.ScheduledAt:HH:mm:ss} fired on {f.NodeId}"));
        Assert.Equal(firings.Count, firings.Select(f => f.ScheduledAt).Distinct().Count());
        Assert.All(firings, f => Assert.Equal(0, (f.ScheduledAt - firings[0].ScheduledAt).Ticks % Period.Ticks));
        Assert.All(afterKill.Zip(afterKill.Skip(1)), p => Assert.Equal(Period, p.Second.ScheduledAt - p.First.ScheduledAt));
        await AssertOneCampaignPerFiringAsync(api, id);

        // However many firings, no member got more than one hot-goods push.
        var hotGoods = (await HotGoodsCampaignsAsync(api)).Select(c => c.Id).ToHashSet();
        var perMember = _cluster.Receiver.Arrivals.Where(x => hotGoods.Contains(x.CampaignId)).GroupBy(x => x.MemberId).ToList();
        Assert.Equal(gamers, perMember.Count);
        Assert.All(perMember, g => Assert.Single(g));
    }

    [Fact]
    public async Task After_every_host_was_stopped_for_three_minutes_a_schedule_fires_once_for_what_it_missed_then_keeps_its_cadence_and_each_firing_is_followed_up()
    {
        await _cluster.SeedMembersAsync(500);
        await _cluster.SeedGoodsAsync(200, 3, "toys");
        var api = await _cluster.StartHostAsync("api,worker");
        var scheduler = await _cluster.StartHostAsync("scheduler");
        Firing lastBefore;
        Guid id;
        using (var http = _cluster.ApiClient(api))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/segments/vip/categories", new { categories = new[] { "toys" } })).StatusCode);
            var followUp = new { name = "After hot goods", audience = new { segment = "vip" }, message = new { title = "More for you", body = "See the app" }, channels = new[] { "email" } };
            // Created through the api-only host: its grain lives on the scheduler silo.
            id = await CreateScheduleAsync(http, "vip", followUp);
            await WaitForFiringsAsync(http, id, 2, TimeSpan.FromSeconds(30));

            // Every host stopped (SIGTERM: each silo leaves the cluster; the reminder stays in PostgreSQL).
            scheduler.Terminate();
            api.Terminate();
            await Task.WhenAll(scheduler.WaitForExitAsync(TimeSpan.FromSeconds(60)), api.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            lastBefore = (await FiringsFromDatabaseAsync(id)).MaxBy(f => f.ScheduledAt)!;
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow - stoppedAt >= TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4), "three minutes with no host");
        Assert.Equal(lastBefore.ScheduledAt, (await FiringsFromDatabaseAsync(id)).Max(f => f.ScheduledAt));

        // Started again; nobody touches the schedule: its reminder brings the grain back.
        var restartedAt = DateTimeOffset.UtcNow;
        var api2 = await _cluster.StartHostAsync("api,worker");
        var scheduler2 = await _cluster.StartHostAsync("scheduler");
        using var client = _cluster.ApiClient(api2);
        IReadOnlyList<Firing> after = [];
        await Eventually.TrueAsync(async () =>
        {
            after = [.. (await FiringsAsync(client, id)).Where(f => f.ScheduledAt > lastBefore.ScheduledAt && f.Outcome is not null).OrderBy(f => f.ScheduledAt)];
            return after.Count >= 3;
        }, TimeSpan.FromSeconds(150), "the catch-up firing and two more");

        var catchUp = after[0];
        var missed = (int)((catchUp.ScheduledAt - lastBefore.ScheduledAt).Ticks / Period.Ticks) - 1;
        var logged = MissedLog().Matches(scheduler2.Output).Where(m => m.Groups["id"].Value == id.ToString()).Select(m => m.Value).ToList();
        output.WriteLine($"last firing before the stop {lastBefore.ScheduledAt:HH:mm:ss}; stopped {stoppedAt:HH:mm:ss}, started again {restartedAt:HH:mm:ss}; " +
            $"catch-up firing for {catchUp.ScheduledAt:HH:mm:ss} claimed {catchUp.ClaimedAt:HH:mm:ss.fff} ({catchUp.ClaimedAt - restartedAt:mm\\:ss} after the start) " +
            $"for {missed} missed occurrences; then {string.Join(", ", after.Skip(1).Select(f => f.ScheduledAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture)))}; " +
            $"scheduler logged: {string.Join(" | ", logged)}");
        // Nothing fired while no host ran, and the missed occurrences became one firing, for the latest of them.
        Assert.True(catchUp.ClaimedAt >= restartedAt, $"claimed {catchUp.ClaimedAt:O}");
        Assert.True(missed >= 3 * 60 / 5 - 1, $"{missed} missed occurrences before the catch-up");
        Assert.True(catchUp.ClaimedAt - catchUp.ScheduledAt < Period + TimeSpan.FromSeconds(2), "the catch-up stands for the latest missed occurrence");
        Assert.Single(logged);
        // Then the cadence.
        Assert.All(after.Zip(after.Skip(1)), p => Assert.Equal(Period, p.Second.ScheduledAt - p.First.ScheduledAt));

        var firings = (await FiringsAsync(client, id)).Where(f => f.Outcome is not null).ToList();
        Assert.All(firings, f => Assert.Equal("Campaign", f.Outcome));
        await AssertOneCampaignPerFiringAsync(client, id);

        // The schedule's follow-up: one per firing, started only once its firing's campaign completed.
        Assert.Equal(firings.Count, firings.Select(f => f.FollowUpId).Distinct().Count());
        foreach (var firing in firings)
        {
            var parent = await Cluster.WaitForStatusAsync(client, firing.CampaignId!.Value, "Completed", TimeSpan.FromSeconds(60));
            var child = await Cluster.WaitForStatusAsync(client, firing.FollowUpId!.Value, "Completed", TimeSpan.FromSeconds(60));
            Assert.Equal(firing.CampaignId, child.GetProperty("after").GetGuid());
            Assert.True(child.GetProperty("startedAt").GetDateTimeOffset() >= parent.GetProperty("completedAt").GetDateTimeOffset(), "a follow-up started before its campaign completed");
            Assert.Equal(parent.GetProperty("audienceSize").GetInt64(), child.GetProperty("sent").GetInt64());
        }
    }

    private static bool Runs(HostProcess host, Firing firing) =>
        firing.NodeId.Contains($"-{host.Pid.ToString(CultureInfo.InvariantCulture)}-", StringComparison.Ordinal);

    private static string Name(HostProcess host, HostProcess[] hosts) => $"host {(char)('A' + Array.IndexOf(hosts, host))}";

    private static string Describe(IEnumerable<Firing> firings, HostProcess[] hosts) =>
        string.Join(", ", firings.Select(f => $"{f.ScheduledAt:HH:mm:ss}@{(hosts.FirstOrDefault(h => Runs(h, f)) is { } h ? Name(h, hosts) : f.NodeId)}"));

    private static async Task<Guid> CreateScheduleAsync(HttpClient api, string segment, object? followUp = null)
    {
        var response = await api.PostAsJsonAsync("/api/hot-goods-schedules", new { segment, cron = EveryFiveSeconds, topK = 3, channels = new[] { "inbox" }, followUp }, Cluster.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cluster.Json)).GetProperty("id").GetGuid();
    }

    private static async Task<IReadOnlyList<Firing>> FiringsAsync(HttpClient api, Guid id)
    {
        var body = await api.GetFromJsonAsync<JsonElement>($"/api/hot-goods-schedules/{id}/firings?limit=200", Cluster.Json);
        return [.. body.GetProperty("items").EnumerateArray().Select(f => new Firing(
            f.GetProperty("scheduledAt").GetDateTimeOffset(),
            f.GetProperty("nodeId").GetString()!,
            f.GetProperty("claimedAt").GetDateTimeOffset(),
            f.GetProperty("outcome").ValueKind == JsonValueKind.Null ? null : f.GetProperty("outcome").GetString(),
            f.GetProperty("campaignId").ValueKind == JsonValueKind.Null ? null : f.GetProperty("campaignId").GetGuid(),
            f.GetProperty("followUpId").ValueKind == JsonValueKind.Null ? null : f.GetProperty("followUpId").GetGuid()))];
    }

    // While no host runs there is no API to ask.
    private async Task<IReadOnlyList<Firing>> FiringsFromDatabaseAsync(Guid id)
    {
        await using var source = _cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT scheduled_at, node_id, claimed_at, outcome, campaign_id, follow_up_id FROM hot_goods_firings WHERE schedule_id = $1");
        cmd.Parameters.AddWithValue(id);
        var firings = new List<Firing>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            firings.Add(new Firing(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.IsDBNull(5) ? null : reader.GetGuid(5)));
        }

        return firings;
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
        }, TimeSpan.FromSeconds(10), "one campaign per firing");

    [GeneratedRegex(@"Hot-goods schedule (?<id>[0-9a-f-]{36}) missed \d+ occurrences[^\r\n]*")]
    private static partial Regex MissedLog();

    private sealed record Firing(DateTimeOffset ScheduledAt, string NodeId, DateTimeOffset ClaimedAt, string? Outcome, Guid? CampaignId, Guid? FollowUpId);
}
