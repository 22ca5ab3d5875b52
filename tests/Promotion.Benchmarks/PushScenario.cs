using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// Push fan-out: N members, one engine host, a loopback receiver with the given latency, at each
/// in-flight window asked for. Against the ceiling at the same window (a bare HttpClient with that
/// many calls in flight, no engine) and the classic baseline (a fixed pool of blocking sender
/// threads reading keyset pages) in every round. Figures of a window carry its size as a suffix
/// (<c>sendsPerSecond_w4000</c>). Then the same campaign on more worker hosts at the first window,
/// against one host (<c>hostsScaling_h3</c>).
/// </summary>
public static class PushScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var result = new ScenarioResult("push");
        var ceilingCalls = Math.Min(o.Members, o.CeilingCalls);
        var baselineMembers = Math.Min(o.Members, o.BaselineMembers);
        result.Set("members", o.Members);
        result.Set("latencyMs", o.LatencyMs);
        result.Set("windows", o.Windows);
        result.Set("scaleHosts", o.ScaleHosts);
        result.Set("ceilingCalls", ceilingCalls);
        result.Set("baselineMembers", baselineMembers);
        result.Set("baselineThreads", o.BaselineThreads);
        result.Set("rounds", o.Runs);
        var db = await bench.MembersAsync(o.Members);
        var latencyNote = (string?)null;
        for (var round = 1; round <= o.Runs; round++)
        {
            var servers = await ServerRestarts.SnapshotAsync();
            double? firstRate = null;
            foreach (var window in o.Windows)
            {
                var w = $"_w{window}";
                var engine = await EngineRun.PushAsync(bench, db, o.Members, o.LatencyMs, window, probeLatency: true, $"push {round}/{o.Runs} engine window {window:N0}");
                if (engine.Status != "Completed")
                {
                    throw new InvalidOperationException($"the push campaign ended {engine.Status}");
                }

                var engineRate = engine.Received / engine.WallSeconds;
                firstRate ??= engineRate;
                result.Add("wallSeconds" + w, engine.WallSeconds, "s");
                result.Add("sendsPerSecond" + w, engineRate, "/s");
                result.Add("peakRssMb" + w, engine.PeakRssMb, "MiB");
                if (engine.Latency is { } l)
                {
                    result.Add("sendP50Ms" + w, l.P50, "ms");
                    result.Add("sendP99Ms" + w, l.P99, "ms");
                    result.Add("sendP99WorstSecondMs" + w, l.P99Max, "ms");
                }
                else
                {
                    latencyNote = engine.LatencyError;
                }

                result.Add("duplicates" + w, engine.Duplicates);
                result.Add("misses" + w, engine.Misses);
                result.Add("failed" + w, engine.Failed);

                bench.Log($"push {round}/{o.Runs} ceiling: {ceilingCalls:N0} calls, {window:N0} in flight");
                await using var receiver = new WebhookReceiver { Latency = TimeSpan.FromMilliseconds(o.LatencyMs) };
                await receiver.StartAsync();
                var ceiling = await bench.Progress.TrackAsync($"push {round}/{o.Runs} ceiling window {window:N0}", ceilingCalls, "calls",
                    progress => SenderLoads.CeilingAsync(receiver, ceilingCalls, window, progress, bench.Cancellation));
                bench.Log($"push {round}/{o.Runs} ceiling: {ceiling.PerSecond:N0}/s");
                result.Add("ceilingSendsPerSecond" + w, ceiling.PerSecond, "/s");
                result.Add("engineOfCeiling" + w, engineRate / ceiling.PerSecond);
            }

            // Scaling out: the same campaign on more worker hosts, each with the first window.
            foreach (var hosts in o.ScaleHosts)
            {
                var scaled = await EngineRun.PushAsync(bench, db, o.Members, o.LatencyMs, o.Windows[0], probeLatency: false, $"push {round}/{o.Runs} {hosts} hosts window {o.Windows[0]:N0}", hosts);
                if (scaled.Status != "Completed")
                {
                    throw new InvalidOperationException($"the push campaign on {hosts} hosts ended {scaled.Status}");
                }

                var rate = scaled.Received / scaled.WallSeconds;
                result.Add($"sendsPerSecond_h{hosts}", rate, "/s");
                result.Add($"hostsScaling_h{hosts}", rate / firstRate!.Value, "x");
                result.Add($"duplicates_h{hosts}", scaled.Duplicates);
                result.Add($"misses_h{hosts}", scaled.Misses);
            }

            if (baselineMembers > 0)
            {
                bench.Log($"push {round}/{o.Runs} baseline: {baselineMembers:N0} members, {o.BaselineThreads} blocking threads");
                await using var receiver = new WebhookReceiver { Latency = TimeSpan.FromMilliseconds(o.LatencyMs) };
                await receiver.StartAsync();
                var baseline = await bench.Progress.TrackAsync($"push {round}/{o.Runs} baseline", baselineMembers, "sends",
                    progress => Task.Run(() => SenderLoads.ThreadPool(receiver, db.ConnectionString, baselineMembers, o.BaselineThreads, progress, bench.Cancellation)));
                bench.Log($"push {round}/{o.Runs} baseline: {baseline.PerSecond:N0}/s, duplicates {baseline.Duplicates}, misses {baseline.Misses}");
                result.Add("baselineSendsPerSecond", baseline.PerSecond, "/s");
                result.Add("baselineDuplicates", baseline.Duplicates);
                result.Add("baselineMisses", baseline.Misses);
                result.Add($"engineOverBaseline_w{o.Windows[0]}", firstRate!.Value / baseline.PerSecond, "x");
            }

            await bench.RestartsAsync(result, servers, $"push {round}/{o.Runs}");
        }

        if (latencyNote is not null)
        {
            result.Set("sendLatency", "not available: " + latencyNote);
        }

        return result;
    }
}
