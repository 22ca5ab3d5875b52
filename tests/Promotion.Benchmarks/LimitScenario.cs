using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// A global send limit across several worker hosts: each leases tokens from the campaign's limiter
/// grain in small slices as its sends need them. Counts the receiver's calls per wall-clock second
/// (the limit applies to calls, retries included) against the limit: the largest overshoot and the
/// mean error.
/// </summary>
public static class LimitScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var members = (long)o.Limit * o.LimitSeconds;
        var result = new ScenarioResult("limit");
        result.Set("limit", o.Limit);
        result.Set("hosts", o.LimitHosts);
        result.Set("members", members);
        result.Set("latencyMs", o.LimitLatencyMs);
        result.Set("rounds", o.Runs);
        var db = await bench.MembersAsync(members);
        for (var round = 1; round <= o.Runs; round++)
        {
            var servers = await ServerRestarts.SnapshotAsync();
            await using var resources = await ScenarioResources.CreateAsync();
            await using var receiver = new WebhookReceiver { Latency = TimeSpan.FromMilliseconds(o.LimitLatencyMs) };
            await receiver.StartAsync();
            var hosts = new List<HostProcess>();
            try
            {
                // Each round its own cluster: the last round's hosts were killed, and still look alive
                // in the shared membership table until Orleans has declared them dead.
                var cluster = BenchContext.NewClusterId();
                for (var i = 0; i < o.LimitHosts; i++)
                {
                    var settings = BenchContext.HostSettings(db, resources.Broker, resources.Redis, i == 0 ? "api,worker" : "worker", receiver.Url);
                    settings["Promotion:Cluster:ClusterId"] = cluster;
                    hosts.Add(await HostProcess.StartAsync(settings));
                }

                using var api = BenchContext.Api(hosts[0].Url);
                // Every host is an active silo before the campaign starts, so its shards spread over all of them.
                await Eventually.TrueAsync(async () =>
                    (await Transient.RetryAsync(() => api.GetFromJsonAsync<JsonElement>("/api/stats", bench.Cancellation), bench.Cancellation)).GetProperty("nodes").GetProperty("workers").GetInt32() >= o.LimitHosts,
                    TimeSpan.FromSeconds(60), $"{o.LimitHosts} live workers");
                bench.Log($"limit {round}/{o.Runs}: {members:N0} members at {o.Limit:N0}/s across {o.LimitHosts} hosts");
                var id = await EngineRun.CreateCampaignAsync(api, new
                {
                    name = $"bench limit {round}",
                    message = new { title = "Benchmark", body = "Limited" },
                    channels = new[] { "inbox" },
                    maxSendsPerSecond = o.Limit,
                });
                JsonElement campaign = default;
                long? stoppedAtSecond = null;
                await bench.Progress.TrackAsync($"limit {round}/{o.Runs}", members, "sends", progress => Eventually.TrueAsync(async () =>
                {
                    progress.Report(receiver.Received.Count);
                    if (stoppedAtSecond is null && o.LimitHosts > 1 && receiver.Received.Count >= members / 3)
                    {
                        // A third in, the last worker host stops (SIGTERM): its shards move to the others.
                        hosts[^1].Terminate();
                        stoppedAtSecond = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                        bench.Log($"limit {round}/{o.Runs}: stopped a worker host after {receiver.Received.Count:N0} sends");
                    }

                    campaign = await Transient.RetryAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}", bench.Cancellation), bench.Cancellation);
                    return campaign.GetProperty("status").GetString() is "Completed" or "Failed" or "Cancelled";
                }, TimeSpan.FromSeconds(o.LimitSeconds * 4 + 120), "the limited campaign to end"));

                var seconds = receiver.AttemptsPerSecond.OrderBy(kv => kv.Key).ToList();
                // The first and last seconds are partial; the rest are whole wall-clock seconds.
                var full = seconds.Count > 2 ? seconds.Skip(1).Take(seconds.Count - 2).Select(kv => kv.Value).ToList() : [];
                // The body: whole seconds until 95% of the members were sent. Later the last shards
                // run on fewer hosts, each still held to its share, so the tail is slower by design.
                var body = new List<int>();
                var cumulative = seconds.Count > 0 ? (long)seconds[0].Value : 0;
                foreach (var n in full)
                {
                    if (cumulative >= members * 0.95)
                    {
                        break;
                    }

                    body.Add(n);
                    cumulative += n;
                }

                var overshoot = full.Count > 0 ? Math.Max(0, full.Max() - o.Limit) : 0;
                // Back at the limit: the first whole second after the stop within 5 % of it.
                if (stoppedAtSecond is { } stopped)
                {
                    var back = seconds.FirstOrDefault(kv => kv.Key > stopped && kv.Value >= o.Limit * 0.95);
                    if (back.Key > 0)
                    {
                        result.Add("recoverySeconds", back.Key - stopped, "s");
                    }
                    else
                    {
                        result.Set("recovery", "not back within 5 % of the limit before the campaign ended");
                    }
                }

                var meanError = body.Count > 0 ? body.Average(n => Math.Abs(n - o.Limit)) / o.Limit : double.NaN;
                var mean = body.Count > 0 ? body.Average() : double.NaN;
                bench.Log($"limit {round}/{o.Runs}: per second {string.Join(" ", full)}; max overshoot {overshoot}, mean error {meanError:P1}");
                result.Set("perSecond", full);
                result.Add("maxOvershoot", overshoot, "sends");
                result.Add("maxOvershootPct", 100.0 * overshoot / o.Limit, "%");
                result.Add("meanPerSecond", mean, "/s");
                result.Add("meanErrorPct", 100 * meanError, "%");
                result.Add("duplicates", receiver.Received.Count(kv => kv.Value > 1));
                result.Add("misses", members - receiver.Received.Count);
                result.Add("sent", campaign.GetProperty("sent").GetInt64());
                await bench.RestartsAsync(result, servers, $"limit {round}/{o.Runs}");
            }
            finally
            {
                foreach (var h in hosts)
                {
                    await h.DisposeAsync();
                }
            }
        }

        return result;
    }
}
