using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// A worker host killed with SIGKILL mid-campaign: three worker hosts push to a loopback receiver;
/// a third of the way in, the last one is killed. Measured: the time from the kill until the
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
                var settings = BenchContext.HostSettings(db, resources.Broker, resources.Redis, i == 0 ? "api,worker" : "worker", receiver.Url);
                settings["Promotion:Cluster:ClusterId"] = cluster;
                hosts.Add(await HostProcess.StartAsync(settings));
            }

            using var api = BenchContext.Api(hosts[0].Url);
            await Eventually.TrueAsync(async () =>
                (await Transient.RetryAsync(() => api.GetFromJsonAsync<JsonElement>("/api/stats", bench.Cancellation), bench.Cancellation)).GetProperty("nodes").GetProperty("workers").GetInt32() >= 3,
                TimeSpan.FromSeconds(60), "3 live workers");
            var victim = hosts[^1];
            var victimName = await victim.SiloNameAsync(bench.Cancellation);
            var id = await EngineRun.CreateCampaignAsync(api, new
            {
                name = label,
                message = new { title = "Benchmark", body = "Failover" },
                channels = new[] { "inbox" },
                // Paced, so the campaign is still running when the dead host's shards come back.
                maxSendsPerSecond = o.FailoverLimit,
            });
            // A third in, at a moment the victim is working shards (placement is random, so a moment
            // with none of them on it is possible, and would measure nothing).
            var unfinished = new Dictionary<int, long>();
            await Eventually.TrueAsync(async () => receiver.Received.Count >= o.FailoverMembers / 3
                && (unfinished = await UnfinishedShardsAsync(db, id, victimName, bench)).Count > 0, TimeSpan.FromMinutes(10), "a third of the members sent, with shards running on the victim");
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
                    deadSeconds ??= await MembershipScenario.IsDeadAsync(conn, victimName, bench) ? clock.Elapsed.TotalSeconds : null;
                    resumedSeconds ??= await MovedOnAsync(conn, id, victimName, unfinished, bench) ? clock.Elapsed.TotalSeconds : null;
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

    // The stopped host's running shards and their cursors when it stopped.
    private static async Task<Dictionary<int, long>> UnfinishedShardsAsync(TemporaryDatabase db, Guid campaignId, string silo, BenchContext bench)
    {
        await using var source = db.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT shard_no, cursor FROM campaign_shards WHERE campaign_id = $1 AND owner = $2 AND status = 'running'");
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(silo);
        var shards = new Dictionary<int, long>();
        await using var reader = await cmd.ExecuteReaderAsync(bench.Cancellation);
        while (await reader.ReadAsync(bench.Cancellation))
        {
            shards[reader.GetInt32(0)] = reader.GetInt64(1);
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
