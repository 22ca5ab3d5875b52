using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>What one push campaign run on one engine host measured.</summary>
public sealed record PushRun(
    string Status,
    double WallSeconds,
    long Received,
    long Sent,
    long Failed,
    long Duplicates,
    long Misses,
    double PeakRssMb,
    (double P50, double P99, double P99Max)? Latency,
    string? LatencyError);

/// <summary>
/// One push campaign to every member of a seeded database, sent by engine hosts in the distributed
/// profile (the first plays api and worker, any others worker only) to a fresh loopback receiver
/// with the given latency. Memory and send latency are the first host's.
/// </summary>
public static class EngineRun
{
    public static async Task<PushRun> PushAsync(BenchContext bench, TemporaryDatabase db, long members, int latencyMs, int window, bool probeLatency, string label, int hosts = 1)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(db);
        await using var resources = await ScenarioResources.CreateAsync();
        await using var receiver = new WebhookReceiver { Latency = TimeSpan.FromMilliseconds(latencyMs) };
        await receiver.StartAsync();
        var settings = BenchContext.HostSettings(db, resources.Broker, resources.Redis, "api,worker", receiver.Url);
        settings["Promotion:Cluster:ClusterId"] = BenchContext.NewClusterId();
        settings["Promotion:FanOut:InFlightWindow"] = window.ToString(CultureInfo.InvariantCulture);
        // Enough pages in flight (500 members each) to fill the window.
        settings["Promotion:Shards:ConcurrentShards"] = Math.Max(4, (window + 499) / 500).ToString(CultureInfo.InvariantCulture);
        await using var host = await HostProcess.StartAsync(settings);
        var workers = new List<HostProcess>();
        settings["Promotion:Roles"] = "worker";
        for (var i = 1; i < hosts; i++)
        {
            workers.Add(await HostProcess.StartAsync(settings));
        }

        await using var memory = new ProcessMemory(host.Pid);
        var (probe, probeError) = probeLatency ? SendLatencyProbe.TryStart(host.Pid) : (null, "not measured");
        try
        {
            using var api = BenchContext.Api(host.Url);
            if (hosts > 1)
            {
                // Every host is an active worker silo before the campaign starts, so its shards spread over all.
                await Eventually.TrueAsync(async () =>
                    (await Transient.RetryAsync(() => api.GetFromJsonAsync<JsonElement>("/api/stats", bench.Cancellation), bench.Cancellation)).GetProperty("nodes").GetProperty("workers").GetInt32() >= hosts,
                    TimeSpan.FromSeconds(60), $"{hosts} live workers");
            }

            var id = await CreateCampaignAsync(api, new
            {
                name = "bench " + label,
                message = new { title = "Benchmark", body = "A push to every member" },
                channels = new[] { "inbox" },
            });
            // The bar counts distinct members the receiver has had, polled with the campaign's status.
            var campaign = await bench.Progress.TrackAsync(label, members, "sends", async progress =>
            {
                while (true)
                {
                    progress.Report(receiver.Received.Count);
                    var current = await Transient.RetryAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}", bench.Cancellation), bench.Cancellation);
                    if (current.GetProperty("status").GetString() is "Completed" or "Failed" or "Cancelled")
                    {
                        return current;
                    }

                    if (host.HasExited)
                    {
                        throw new InvalidOperationException($"host exited with {host.ExitCode}:\n{host.Output}");
                    }

                    await Task.Delay(250, bench.Cancellation);
                }
            }, () => $"host RSS {memory.PeakMb:N0} MiB");

            // Server-side timestamps: creation to the last shard's end, free of the polling interval.
            var created = campaign.GetProperty("createdAt").GetDateTimeOffset();
            var completed = campaign.TryGetProperty("completedAt", out var c) && c.ValueKind == JsonValueKind.String ? c.GetDateTimeOffset() : DateTimeOffset.UtcNow;
            var wall = (completed - created).TotalSeconds;
            var distinct = receiver.Received.Count;
            var run = new PushRun(
                campaign.GetProperty("status").GetString()!,
                wall,
                distinct,
                campaign.GetProperty("sent").GetInt64(),
                campaign.GetProperty("failed").GetInt64(),
                receiver.Received.Count(kv => kv.Value > 1),
                members - distinct,
                memory.PeakMb,
                probe?.Seconds > 0 ? probe.Summary() : null,
                probe is null ? probeError : probe.Seconds > 0 ? null : "no send-duration interval was published");
            bench.Log($"{label}: {run.Status}, {distinct:N0} members in {wall:0.0} s = {distinct / wall:N0}/s, peak RSS {run.PeakRssMb:N0} MiB, duplicates {run.Duplicates}, misses {run.Misses}"
                + (run.Latency is { } l ? $", send p50 {l.P50:0} ms p99 {l.P99:0} ms" : ""));
            return run;
        }
        finally
        {
            if (probe is not null)
            {
                await probe.DisposeAsync();
            }

            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    public static async Task<Guid> CreateCampaignAsync(HttpClient api, object body)
    {
        ArgumentNullException.ThrowIfNull(api);
        var created = await api.PostAsJsonAsync("/api/campaigns", body);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/campaigns answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        }

        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
