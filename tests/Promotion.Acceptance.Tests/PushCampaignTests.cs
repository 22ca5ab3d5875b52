using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>Push campaigns end to end on the real servers, across separate host processes.</summary>
[Collection(Collections.Alone)]
public sealed class PushCampaignTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Two_worker_processes_reach_every_member_of_200000_exactly_once()
    {
        const int members = 200_000;
        await _cluster.SeedMembersAsync(members);
        var a = await _cluster.StartHostAsync("api,worker");
        var b = await _cluster.StartHostAsync("worker");
        using var api = _cluster.ApiClient(a);

        var id = await Cluster.CreateCampaignAsync(api, new
        {
            name = "everyone",
            message = new { title = "Festival", body = "Starts now" },
            channels = new[] { "inbox" },
            shardSize = 1000,
        });
        var done = await _cluster.WaitForStatusAsync(api, id, "Completed", TimeSpan.FromMinutes(6));

        Assert.Equal(members, _cluster.Receiver.Received.Count);
        Assert.All(_cluster.Receiver.Received, kv => Assert.Equal(1, kv.Value));
        Assert.Equal(members, done.GetProperty("audienceSize").GetInt64());
        Assert.Equal(members, done.GetProperty("sent").GetInt64());
        Assert.Equal(0, done.GetProperty("failed").GetInt64());
        Assert.Equal(0, done.GetProperty("skipped").GetInt64());
        var shards = done.GetProperty("shards");
        Assert.Equal(200, shards.GetProperty("total").GetInt32());
        Assert.Equal(200, shards.GetProperty("done").GetInt32());

        // Both processes worked: the silos that ended the shards are the two hosts.
        var silos = (await _cluster.ShardsAsync(id)).Select(s => s.Owner).Distinct().Order(StringComparer.Ordinal).ToList();
        string[] hosts = [await a.SiloNameAsync(), await b.SiloNameAsync()];
        Assert.Equal(hosts.Order(StringComparer.Ordinal), silos);
    }

    [Fact]
    public async Task One_of_three_workers_killed_mid_campaign_leaves_no_member_missed_and_resends_at_most_its_window()
    {
        const int members = 20_000;
        const int concurrentShards = 2;
        const int pageSize = 100;
        await _cluster.SeedMembersAsync(members);
        _cluster.Receiver.Latency = TimeSpan.FromMilliseconds(20);
        var a = await _cluster.StartHostAsync("api,worker", ("Promotion:Shards:ConcurrentShards", "2"), ("Promotion:Shards:PageSize", "100"));
        await _cluster.StartHostAsync("worker", ("Promotion:Shards:ConcurrentShards", "2"), ("Promotion:Shards:PageSize", "100"));
        var victim = await _cluster.StartHostAsync("worker",
            ("Promotion:Shards:ConcurrentShards", concurrentShards.ToString(CultureInfo.InvariantCulture)),
            ("Promotion:Shards:PageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
            ("Promotion:FanOut:InFlightWindow", (concurrentShards * pageSize).ToString(CultureInfo.InvariantCulture)));
        using var api = _cluster.ApiClient(a);

        var id = await Cluster.CreateCampaignAsync(api, new
        {
            name = "crash",
            message = new { title = "t", body = "b" },
            channels = new[] { "inbox" },
            shardSize = 500,
            maxSendsPerSecond = 4000,
        });
        // A quarter in, at a moment the victim is working shards: placement is random, and a kill of a
        // host with none would test nothing (a CI run once printed "0 shards").
        var victimName = await victim.SiloNameAsync();
        var onVictim = await RunningOnAsync(id, victimName);
        await Eventually.TrueAsync(async () => _cluster.Receiver.Received.Count > members / 4 && (onVictim = await RunningOnAsync(id, victimName)).Count > 0,
            TimeSpan.FromMinutes(2), "a quarter of the members to be sent, with shards running on the victim");
        victim.Kill();
        var killedAt = System.Diagnostics.Stopwatch.StartNew();

        // Its shards are started again elsewhere (once it is declared dead) and move on from their checkpoints.
        await Eventually.TrueAsync(async () => (await RunningOnAsync(id, victimName)).Count == 0 && await MovedOnAsync(id, onVictim),
            TimeSpan.FromMinutes(2), "the killed host's shards to send again on the other hosts");
        output.WriteLine($"the killed host's {onVictim.Count} shards sent again {killedAt.Elapsed.TotalSeconds:0.0} s after the kill");
        var done = await _cluster.WaitForStatusAsync(api, id, "Completed", TimeSpan.FromMinutes(4));
        Assert.Equal(members, _cluster.Receiver.Received.Count);
        var twice = _cluster.Receiver.Received.Count(kv => kv.Value > 1);
        Assert.True(twice <= concurrentShards * pageSize, $"{twice} members were sent twice; the killed host's window was {concurrentShards * pageSize}");
        Assert.Equal(members, done.GetProperty("sent").GetInt64() + done.GetProperty("failed").GetInt64() + done.GetProperty("skipped").GetInt64());
        Assert.Equal(members, done.GetProperty("audienceSize").GetInt64());
    }

    [Fact]
    public async Task Transient_failures_succeed_on_retry_and_permanent_ones_are_reported_then_retried_with_the_same_keys()
    {
        const int members = 10_000;
        await _cluster.SeedMembersAsync(members);
        _cluster.Receiver.TransientFailureRate = 0.05;
        _cluster.Receiver.PermanentFailureRate = 0.01;
        var a = await _cluster.StartHostAsync("api,worker", ("Promotion:FanOut:RetryBaseDelay", "00:00:00.020"));
        using var api = _cluster.ApiClient(a);

        var id = await Cluster.CreateCampaignAsync(api, new { name = "flaky", message = new { title = "t", body = "b" }, channels = new[] { "inbox" } });
        var done = await _cluster.WaitForStatusAsync(api, id, "Completed", TimeSpan.FromMinutes(3));

        var failed = done.GetProperty("failed").GetInt64();
        var sent = done.GetProperty("sent").GetInt64();
        Assert.Equal(members, sent + failed + done.GetProperty("skipped").GetInt64());
        Assert.Equal(sent, _cluster.Receiver.Received.Count);
        Assert.InRange(failed, 50, 200); // about 1 % fail permanently; every transient one got through on a retry
        Assert.True(_cluster.Receiver.Attempts > members + (members * 0.03), "transient failures should have been retried");

        var csv = await api.GetStringAsync($"/api/campaigns/{id}/report.csv");
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("memberId,channel,reason,at", rows[0].Trim());
        Assert.Equal(failed, rows.Length - 1);
        Assert.All(rows.Skip(1), r => Assert.Contains("HTTP 400", r, StringComparison.Ordinal));
        var xlsx = await api.GetAsync($"/api/campaigns/{id}/report.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.True((await xlsx.Content.ReadAsByteArrayAsync()).Length > 1000);

        // The cause is fixed; the retry pass reaches exactly the failed members with their original keys.
        _cluster.Receiver.PermanentFailureRate = 0;
        var before = _cluster.Receiver.Received.Keys.ToHashSet();
        var retry = await api.PostAsync($"/api/campaigns/{id}/retry-failed", null);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var retryId = (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var retried = await _cluster.WaitForStatusAsync(api, retryId, "Completed", TimeSpan.FromMinutes(2));
        Assert.Equal(failed, retried.GetProperty("audienceSize").GetInt64());
        Assert.Equal(failed, retried.GetProperty("sent").GetInt64());
        Assert.Equal("Retry", retried.GetProperty("kind").GetString());
        var newKeys = _cluster.Receiver.Received.Keys.Where(k => !before.Contains(k)).ToList();
        Assert.Equal(failed, newKeys.Count);
        Assert.All(newKeys, k => Assert.StartsWith(id.ToString("N"), k, StringComparison.Ordinal));
        Assert.Equal(members, _cluster.Receiver.Received.Count);
    }

    [Fact]
    public async Task Pause_stops_sending_resume_finishes_without_duplicates_and_cancel_stops_for_good()
    {
        const int members = 20_000;
        await _cluster.SeedMembersAsync(members);
        var a = await _cluster.StartHostAsync("api,worker", ("Promotion:Shards:PageSize", "100"));
        using var api = _cluster.ApiClient(a);
        var body = new { name = "steer", message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize = 1000, maxSendsPerSecond = 2000 };

        var id = await Cluster.CreateCampaignAsync(api, body);
        await Eventually.TrueAsync(() => _cluster.Receiver.Received.Count > 2_000, TimeSpan.FromMinutes(1), "sending to start");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/campaigns/{id}/pause", null)).StatusCode);
        await Eventually.TrueAsync(async () => (await Cluster.GetCampaignAsync(api, id)).GetProperty("shards").GetProperty("running").GetInt32() == 0,
            TimeSpan.FromSeconds(10), "every shard to stop at a page boundary");
        var atPause = _cluster.Receiver.Received.Count;
        Assert.True(atPause < members);
        await Eventually.TrueAsync(async () => (await Cluster.GetCampaignAsync(api, id)).GetProperty("status").GetString() == "Paused" && _cluster.Receiver.Received.Count == atPause,
            TimeSpan.FromSeconds(5), "the campaign to stay paused with no new sends");

        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/campaigns/{id}/resume", null)).StatusCode);
        var done = await _cluster.WaitForStatusAsync(api, id, "Completed", TimeSpan.FromMinutes(2));
        Assert.Equal(members, done.GetProperty("sent").GetInt64());
        Assert.Equal(members, _cluster.Receiver.Received.Count(kv => kv.Key.StartsWith(id.ToString("N"), StringComparison.Ordinal)));
        Assert.All(_cluster.Receiver.Received, kv => Assert.Equal(1, kv.Value));

        // Illegal transition: resuming a completed campaign.
        var illegal = await api.PostAsync($"/api/campaigns/{id}/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, illegal.StatusCode);
        Assert.Contains("cannot resume a campaign that is Completed", await illegal.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var second = await Cluster.CreateCampaignAsync(api, body);
        await Eventually.TrueAsync(() => _cluster.Receiver.Received.Keys.Count(k => k.StartsWith(second.ToString("N"), StringComparison.Ordinal)) > 1_000,
            TimeSpan.FromMinutes(1), "the second campaign to start sending");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/campaigns/{second}/cancel", null)).StatusCode);
        await Eventually.TrueAsync(async () => (await Cluster.GetCampaignAsync(api, second)).GetProperty("shards").GetProperty("running").GetInt32() == 0,
            TimeSpan.FromSeconds(10), "the cancelled campaign's shards to stop");
        var sentToSecond = _cluster.Receiver.Received.Keys.Count(k => k.StartsWith(second.ToString("N"), StringComparison.Ordinal));
        Assert.True(sentToSecond < members);
        // The campaign's counters catch up with its shards' last pages.
        await Eventually.TrueAsync(async () => (await Cluster.GetCampaignAsync(api, second)).GetProperty("sent").GetInt64() == sentToSecond,
            TimeSpan.FromSeconds(10), "the cancelled campaign to count every member it sent to");
        Assert.Equal("Cancelled", (await Cluster.GetCampaignAsync(api, second)).GetProperty("status").GetString());
    }

    // Running shards of the campaign on the silo, with their cursors.
    private async Task<Dictionary<int, long>> RunningOnAsync(Guid campaignId, string silo)
    {
        await using var source = _cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT shard_no, cursor FROM campaign_shards WHERE campaign_id = $1 AND owner = $2 AND status = 'running'");
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(silo);
        var running = new Dictionary<int, long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            running[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return running;
    }

    // Some of those shards checkpointed a page beyond where they were (or ended) since.
    private async Task<bool> MovedOnAsync(Guid campaignId, Dictionary<int, long> cursors)
    {
        await using var source = _cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT shard_no, cursor, status FROM campaign_shards WHERE campaign_id = $1 AND shard_no = ANY($2)");
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(cursors.Keys.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (reader.GetInt64(1) > cursors[reader.GetInt32(0)] || reader.GetString(2) == "done")
            {
                return true;
            }
        }

        return cursors.Count == 0;
    }
}
