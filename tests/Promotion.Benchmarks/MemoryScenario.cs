namespace Promotion.Benchmarks;

/// <summary>
/// Peak RSS of one engine host pushing to every member at a small and a large N: the engine
/// streams keyset pages through a bounded window, so the ratio should stay near 1.
/// </summary>
public static class MemoryScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var result = new ScenarioResult("memory");
        result.Set("smallMembers", o.MemorySmall);
        result.Set("largeMembers", o.MemoryLarge);
        result.Set("latencyMs", o.MemoryLatencyMs);
        result.Set("window", o.Window);
        result.Set("rounds", o.Runs);
        var small = await bench.MembersAsync(o.MemorySmall);
        var large = await bench.MembersAsync(o.MemoryLarge);
        for (var round = 1; round <= o.Runs; round++)
        {
            var servers = await ServerRestarts.SnapshotAsync();
            var a = await EngineRun.PushAsync(bench, small, o.MemorySmall, o.MemoryLatencyMs, o.Window, probeLatency: false, $"memory {round}/{o.Runs} N={o.MemorySmall:N0}");
            var b = await EngineRun.PushAsync(bench, large, o.MemoryLarge, o.MemoryLatencyMs, o.Window, probeLatency: false, $"memory {round}/{o.Runs} N={o.MemoryLarge:N0}");
            result.Add("smallPeakRssMb", a.PeakRssMb, "MiB");
            result.Add("largePeakRssMb", b.PeakRssMb, "MiB");
            result.Add("largeOverSmall", b.PeakRssMb / a.PeakRssMb, "x");
            result.Add("largeSendsPerSecond", b.Received / b.WallSeconds, "/s");
            result.Add("duplicates", a.Duplicates + b.Duplicates);
            result.Add("misses", a.Misses + b.Misses);

            await bench.RestartsAsync(result, servers, $"memory {round}/{o.Runs}");
        }

        return result;
    }
}
