using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// Failure detection: three hosts form a cluster on a throw-away database; one is killed with
/// SIGKILL and the time until the membership table says Dead is measured, <c>--kills</c> times
/// (a replacement joins after each). Beside it, the same host stopped with SIGTERM: a graceful stop
/// marks itself dead at once, which is the floor a crash is compared with.
/// </summary>
public static class MembershipScenario
{
    private const int Dead = 6; // SiloStatus.Dead in the membership table
    private const int Active = 3;

    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var result = new ScenarioResult("membership");
        result.Set("hosts", 3);
        result.Set("kills", o.Kills);
        var db = await bench.EmptyDatabaseAsync();
        await using var resources = await ScenarioResources.CreateAsync();
        var hosts = new List<HostProcess>();
        try
        {
            var settings = BenchContext.HostSettings(db, resources.Broker, resources.Redis, "api,worker,scheduler", webhookUrl: null);
            settings["Promotion:Senders:Simulated:Enabled"] = "true";
            hosts.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => HostProcess.StartAsync(settings))));
            var killSeconds = new List<double>();
            for (var kill = 1; kill <= o.Kills; kill++)
            {
                await WaitForActiveAsync(db, 3, bench);
                var victim = hosts[^1];
                var name = await victim.SiloNameAsync(bench.Cancellation);
                victim.Kill();
                var clock = Stopwatch.StartNew();
                await WaitForDeadAsync(db, name, bench);
                killSeconds.Add(clock.Elapsed.TotalSeconds);
                result.Add("sigkillToDeadSeconds", clock.Elapsed.TotalSeconds, "s");
                bench.Log($"membership: kill {kill}/{o.Kills}: dead after {clock.Elapsed.TotalSeconds:0.00} s");
                await victim.DisposeAsync();
                hosts[^1] = await HostProcess.StartAsync(settings);
            }

            await WaitForActiveAsync(db, 3, bench);
            var leaving = hosts[^1];
            var leavingName = await leaving.SiloNameAsync(bench.Cancellation);
            leaving.Terminate();
            var graceful = Stopwatch.StartNew();
            await WaitForDeadAsync(db, leavingName, bench);
            result.Add("sigtermToDeadSeconds", graceful.Elapsed.TotalSeconds, "s");
            bench.Log($"membership: SIGTERM: dead after {graceful.Elapsed.TotalSeconds:0.00} s");

            killSeconds.Sort();
            result.Set("sigkillToDeadMinSeconds", Math.Round(killSeconds[0], 2));
            result.Set("sigkillToDeadMaxSeconds", Math.Round(killSeconds[^1], 2));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }

        return result;
    }

    private static Task WaitForActiveAsync(TemporaryDatabase db, int count, BenchContext bench) =>
        Eventually.TrueAsync(async () =>
        {
            await using var source = db.CreateDataSource();
            await using var cmd = source.CreateCommand("SELECT count(*) FROM orleansmembershiptable WHERE status = $1");
            cmd.Parameters.AddWithValue(Active);
            return (long)(await cmd.ExecuteScalarAsync(bench.Cancellation))! == count;
        }, TimeSpan.FromSeconds(120), $"{count} active silos");

    // Polled every 20 ms on one open connection: the figure is the table's, give or take a poll.
    private static async Task WaitForDeadAsync(TemporaryDatabase db, string siloName, BenchContext bench)
    {
        await using var source = db.CreateDataSource();
        await using var conn = await source.OpenConnectionAsync(bench.Cancellation);
        var deadline = Stopwatch.StartNew();
        while (!await IsDeadAsync(conn, siloName, bench))
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"silo {siloName} was not declared dead within 3 minutes");
            }

            await Task.Delay(20, bench.Cancellation);
        }
    }

    /// <summary>Whether the membership table says <paramref name="siloName"/> is dead.</summary>
    internal static async Task<bool> IsDeadAsync(Npgsql.NpgsqlConnection conn, string siloName, BenchContext bench)
    {
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT status FROM orleansmembershiptable WHERE siloname = $1", conn);
        cmd.Parameters.AddWithValue(siloName);
        return await cmd.ExecuteScalarAsync(bench.Cancellation) is Dead;
    }
}
