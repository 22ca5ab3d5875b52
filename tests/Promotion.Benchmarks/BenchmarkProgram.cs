using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Promotion.Benchmarks;

/// <summary>
/// Runs the scenarios named in the options, each with its baseline in the same run, and writes
/// one JSON line per scenario and then a markdown table to <c>output</c>; progress goes to
/// <c>progress</c>. Measurements only: nothing here passes or fails on a time.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(progress);
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await progress.WriteLineAsync(ex.Message);
            return 2;
        }

        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Let the scenario's finally blocks stop hosts and drop databases, vhosts and keys.
            e.Cancel = true;
            interrupted.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM too (a background run ignores SIGINT): cancel, and the finally blocks clean up.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            interrupted.Cancel();
        });
        var started = Stopwatch.StartNew();
        var results = new List<ScenarioResult>();
        var exitCode = 0;
        try
        {
            await using var bench = new BenchContext(options, progress, interrupted.Token);
            foreach (var scenario in options.Scenarios)
            {
                bench.Log($"== {scenario} ({options.Runs} run{(options.Runs == 1 ? "" : "s")})");
                ScenarioResult result;
                try
                {
                    result = scenario switch
                    {
                        "push" => await PushScenario.RunAsync(bench),
                        "plan" => await PlanScenario.RunAsync(bench),
                        "coupons" => await CouponsScenario.RunAsync(bench),
                        "limit" => await LimitScenario.RunAsync(bench),
                        "memory" => await MemoryScenario.RunAsync(bench),
                        "membership" => await MembershipScenario.RunAsync(bench),
                        "failover" => await FailoverScenario.RunAsync(bench),
                        _ => throw new ArgumentException("unknown scenario " + scenario),
                    };
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !interrupted.IsCancellationRequested)
                {
                    // One scenario failing (a server restarted under it, a host that would not
                    // start) is reported, and the others still run.
                    bench.Log($"{scenario} failed: {ex}");
                    result = new ScenarioResult(scenario) { NotAvailable = "failed: " + ex.GetType().Name + ": " + ex.Message.Split('\n')[0] };
                    exitCode = 1;
                }

                await output.WriteLineAsync(result.ToJson());
                await output.FlushAsync(interrupted.Token);
                results.Add(result);
            }
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            // Everything started was stopped and removed on the way out.
            await progress.WriteLineAsync("interrupted; partial results follow");
            exitCode = 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync(ScenarioResult.MarkdownTable(results));
        await progress.WriteLineAsync($"done in {started.Elapsed.TotalMinutes:0.0} min");
        return exitCode;
    }
}
