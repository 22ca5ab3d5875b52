using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;
using Xunit.Abstractions;

using static Promotion.Acceptance.Tests.Schedules;

namespace Promotion.Acceptance.Tests;

/// <summary>
/// Scheduled hot-goods pushes end to end: schedule grains on Orleans reminders (AdoNet, PostgreSQL)
/// and grain timers across separate host processes, a cron firing every 5 s, campaigns through
/// RabbitMQ to the webhook.
/// </summary>
[Collection(Collections.Alone)]
public sealed class HotGoodsTests(ITestOutputHelper output) : IAsyncLifetime
{
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
        var first = await _cluster.WaitForStatusAsync(apiA, campaigns[^1].Id, "Completed", TimeSpan.FromSeconds(60));
        var gamers = first.GetProperty("audienceSize").GetInt64();
        Assert.True(gamers > 500, $"{gamers} gamers");
        Assert.Equal(gamers, first.GetProperty("sent").GetInt64());
        var second = await _cluster.WaitForStatusAsync(apiA, campaigns[^2].Id, "Completed", TimeSpan.FromSeconds(60));
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

    private static bool Runs(HostProcess host, Firing firing) =>
        firing.NodeId.Contains($"-{host.Pid.ToString(CultureInfo.InvariantCulture)}-", StringComparison.Ordinal);

    private static string Name(HostProcess host, HostProcess[] hosts) => $"host {(char)('A' + Array.IndexOf(hosts, host))}";

    private static string Describe(IEnumerable<Firing> firings, HostProcess[] hosts) =>
        string.Join(", ", firings.Select(f => $"{f.ScheduledAt:HH:mm:ss}@{(hosts.FirstOrDefault(h => Runs(h, f)) is { } h ? Name(h, hosts) : f.NodeId)}"));
}
