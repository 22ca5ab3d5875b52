using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Promotion.TestSupport;
using Xunit.Abstractions;
using static Promotion.Acceptance.Tests.Schedules;

namespace Promotion.Acceptance.Tests;

/// <summary>
/// A hot-goods schedule across a full stop of the cluster: the reminder in PostgreSQL brings it back,
/// and it fires once for everything it missed. Mostly waiting, so it runs beside lighter classes.
/// </summary>
[Collection(Collections.BesideOthers)]
public sealed class HotGoodsOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

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
            lastBefore = (await FiringsFromDatabaseAsync(_cluster, id)).MaxBy(f => f.ScheduledAt)!;
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow - stoppedAt >= TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4), "three minutes with no host");
        Assert.Equal(lastBefore.ScheduledAt, (await FiringsFromDatabaseAsync(_cluster, id)).Max(f => f.ScheduledAt));

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
        // The outage is one logged miss. On a busy machine the catch-up firing itself may run past its
        // next occurrence; that later miss is logged on its own and starts after the catch-up.
        var froms = MissedLog().Matches(scheduler2.Output).Where(m => m.Groups["id"].Value == id.ToString())
            .Select(m => DateTimeOffset.Parse(m.Groups["from"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Single(froms, f => f <= catchUp.ScheduledAt);
        // Then the cadence: every next occurrence, or the one after a logged miss.
        Assert.All(after.Zip(after.Skip(1)), p => Assert.True(
            p.Second.ScheduledAt - p.First.ScheduledAt == Period || froms.Contains(p.First.ScheduledAt + Period),
            $"{p.First.ScheduledAt:HH:mm:ss} then {p.Second.ScheduledAt:HH:mm:ss} with no miss logged between"));

        var firings = (await FiringsAsync(client, id)).Where(f => f.Outcome is not null).ToList();
        Assert.All(firings, f => Assert.Equal("Campaign", f.Outcome));
        await AssertOneCampaignPerFiringAsync(client, id);

        // The schedule's follow-up: one per firing, started only once its firing's campaign completed.
        Assert.Equal(firings.Count, firings.Select(f => f.FollowUpId).Distinct().Count());
        foreach (var firing in firings)
        {
            var parent = await _cluster.WaitForStatusAsync(client, firing.CampaignId!.Value, "Completed", TimeSpan.FromSeconds(60));
            var child = await _cluster.WaitForStatusAsync(client, firing.FollowUpId!.Value, "Completed", TimeSpan.FromSeconds(60));
            Assert.Equal(firing.CampaignId, child.GetProperty("after").GetGuid());
            Assert.True(child.GetProperty("startedAt").GetDateTimeOffset() >= parent.GetProperty("completedAt").GetDateTimeOffset(), "a follow-up started before its campaign completed");
            Assert.Equal(parent.GetProperty("audienceSize").GetInt64(), child.GetProperty("sent").GetInt64());
        }
    }
}
