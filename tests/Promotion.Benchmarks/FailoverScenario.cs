using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// A worker host killed with SIGKILL mid-campaign: three worker hosts push to a loopback receiver;
/// a third of the way in, the one working the most shards is killed. Measured: the time from the kill until the
/// membership declares it dead, the time until the first member of one of its unfinished shards
/// arrives again (sent from a live host), and the members sent twice. The baseline is a graceful stop
/// (SIGTERM) of the same host in the same round, which hands its shards over at once.
/// </summary>
public static class FailoverScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var result = new ScenarioResult("failover");
        result.Set("members", o.FailoverMembers);
        result.Set("hosts", 3);
        result.Set("latencyMs", o.FailoverLatencyMs);
        result.Set("rounds", o.Runs);
        var db = await bench.MembersAsync(o.FailoverMembers);
        for (var round = 1; round <= o.Runs; round++)
        {
            var servers = await ServerRestarts.SnapshotAsync();
            foreach (var kill in new[] { true, false })
            {
                var how = kill ? "sigkill" : "sigterm";
                var label = $"failover {round}/{o.Runs} {how}";
                var run = await RunOnceAsync(bench, db, kill, label);
                result.Add($"{how}ToDeadSeconds", run.DeadSeconds, "s");
                if (run.ResumedSeconds is { } resumed)
                {
                    result.Add($"{how}ToResumedSeconds", resumed, "s");
                }

                result.Add($"{how}ShardsMoved", run.Shards);
                result.Add($"{how}ResentMembers", run.Resent);
                result.Add($"{how}Misses", run.Misses);
                bench.Log($"{label}: dead after {run.DeadSeconds:0.0} s, its {run.Shards} unfinished shards sending again after {run.ResumedSeconds:0.0} s; {run.Resent} members sent twice, {run.Misses} missed");
            }

            await bench.RestartsAsync(result, servers, $"failover {round}/{o.Runs}");
        }

        return result;
    }

    private sealed record Run(double DeadSeconds, double? ResumedSeconds, int Shards, long Resent, long Misses);

    private static async Task<Run> RunOnceAsync(BenchContext bench, TemporaryDatabase db, bool kill, string label)
    {
        var o = bench.Options;
        await using var resources = await ScenarioResources.CreateAsync();
        await using var receiver = new WebhookReceiver { Latency = TimeSpan.FromMilliseconds(o.FailoverLatencyMs) };
        await receiver.StartAsync();
        var hosts = new List<HostProcess>();
        try
        {
            var cluster = BenchContext.NewClusterId();
            for (var i = 0; i < 3; i++)
            {
                // Every host serves the API too, so whichever host is stopped, another answers.
                var settings = BenchContext.HostSettings(db, resources.Broker, resources.Redis, "api,worker", receiver.Url);
                settings["Promotion:Cluster:ClusterId"] = cluster;
                hosts.Add(await HostProcess.StartAsync(settings));
            }

            using var first = BenchContext.Api(hosts[0].Url);
            await Eventually.TrueAsync(async () =>
                (await Transient.RetryAsync(() => first.GetFromJsonAsync<JsonElement>("/api/stats", bench.Cancellation), bench.Cancellation)).GetProperty("nodes").GetProperty("workers").GetInt32() >= 3,
                TimeSpan.FromSeconds(60), "3 live workers");
            var silos = new Dictionary<string, HostProcess>();
            foreach (var h in hosts)
            {
                silos[await h.SiloNameAsync(bench.Cancellation)] = h;
            }

            var id = await EngineRun.CreateCampaignAsync(first, new
            {
                name = label,
                message = new { title = "Benchmark", body = "Failover" },
                channels = new[] { "inbox" },
                // Paced, so the campaign is still running when the dead host's shards come back.
                maxSendsPerSecond = o.FailoverLimit,
            });
            // A third in, the victim is the host working the most shards at that moment (placement is
            // random: a host fixed in advance may be working none, and its stop would measure nothing).
            var unfinished = new Dictionary<int, long>();
            string? victimName = null;
            await Eventually.TrueAsync(async () =>
            {
                if (receiver.Received.Count >= o.FailoverMembers)
                {
                    throw new InvalidOperationException("the campaign sent every member before a host could be stopped; raise --failover-members or lower --failover-limit");
                }

                if (receiver.Received.Count < o.FailoverMembers / 3)
                {
                    return false;
                }

                var running = await RunningShardsAsync(db, id, bench);
                victimName = running.Where(s => silos.ContainsKey(s.Owner)).GroupBy(s => s.Owner).MaxBy(g => g.Count())?.Key;
                unfinished = victimName is null ? [] : running.Where(s => s.Owner == victimName).ToDictionary(s => s.ShardNo, s => s.Cursor);
                return victimName is not null;
            }, TimeSpan.FromMinutes(10), "a third of the members sent, with shards running");
            var victimSilo = victimName!;
            var victim = silos[victimSilo];
            using var api = BenchContext.Api(hosts.First(h => h != victim).Url);
            var clock = Stopwatch.StartNew();
            if (kill)
            {
                victim.Kill();
            }
            else
            {
                victim.Terminate();
            }

            // Watched from the database, 20 ms apart: the victim declared dead, and the first of its
            // unfinished shards checkpointing a page from another silo.
            double? deadSeconds = null, resumedSeconds = null;
            await using (var source = db.CreateDataSource())
            {
                await using var conn = await source.OpenConnectionAsync(bench.Cancellation);
                while (deadSeconds is null || (resumedSeconds is null && unfinished.Count > 0))
                {
                    deadSeconds ??= await MembershipScenario.IsDeadAsync(conn, victimSilo, bench) ? clock.Elapsed.TotalSeconds : null;
                    resumedSeconds ??= await MovedOnAsync(conn, id, victimSilo, unfinished, bench) ? clock.Elapsed.TotalSeconds : null;
                    if (clock.Elapsed > TimeSpan.FromMinutes(3))
                    {
                        throw new TimeoutException($"after 3 minutes: dead {deadSeconds?.ToString("0.0") ?? "no"}, shards moved on {resumedSeconds?.ToString("0.0") ?? "no"}");
                    }

                    await Task.Delay(20, bench.Cancellation);
                }
            }

            JsonElement campaign = default;
            await bench.Progress.TrackAsync(label, o.FailoverMembers, "sends", progress => Eventually.TrueAsync(async () =>
            {
                progress.Report(receiver.Received.Count);
                campaign = await Transient.RetryAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}", bench.Cancellation), bench.Cancellation);
                return campaign.GetProperty("status").GetString() is "Completed" or "Failed" or "Cancelled";
            }, TimeSpan.FromMinutes(20), "the campaign to end"));

            return new Run(
                deadSeconds!.Value,
                resumedSeconds,
                unfinished.Count,
                receiver.Received.Count(kv => kv.Value > 1),
                o.FailoverMembers - receiver.Received.Count);
        }
        finally
        {
            foreach (var h in hosts)
            {
                await h.DisposeAsync();
            }
        }
    }

    // The campaign's running shards: number, owner silo and cursor.
    private static async Task<List<(int ShardNo, string Owner, long Cursor)>> RunningShardsAsync(TemporaryDatabase db, Guid campaignId, BenchContext bench)
    {
        await using var source = db.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT shard_no, owner, cursor FROM campaign_shards WHERE campaign_id = $1 AND status = 'running' AND owner IS NOT NULL");
        cmd.Parameters.AddWithValue(campaignId);
        var shards = new List<(int, string, long)>();
        await using var reader = await cmd.ExecuteReaderAsync(bench.Cancellation);
        while (await reader.ReadAsync(bench.Cancellation))
        {
            shards.Add((reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return shards;
    }

    // One of those shards checkpointed a page beyond its cursor (or ended) on another silo.
    private static async Task<bool> MovedOnAsync(Npgsql.NpgsqlConnection conn, Guid campaignId, string silo, Dictionary<int, long> cursors, BenchContext bench)
    {
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT shard_no, cursor, status, owner FROM campaign_shards WHERE campaign_id = $1 AND shard_no = ANY($2)", conn);
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(cursors.Keys.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(bench.Cancellation);
        while (await reader.ReadAsync(bench.Cancellation))
        {
            var elsewhere = reader.IsDBNull(3) || reader.GetString(3) != silo;
            if (elsewhere && (reader.GetInt64(1) > cursors[reader.GetInt32(0)] || reader.GetString(2) == "done"))
            {
                return true;
            }
        }

        return false;
    }
}
