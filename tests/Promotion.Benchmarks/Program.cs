using System.Globalization;
using Promotion.Benchmarks;

// dotnet run -c Release --project tests/Promotion.Benchmarks -- push --members 100000 --latency-ms 200
// Needs the servers of infra/up.sh and the connection strings it writes (source connection.env).
var options = BenchmarkOptions.Parse(args);
var results = new List<ScenarioResult>();
foreach (var scenario in options.Scenarios)
{
    var result = scenario switch
    {
        "push" => await PushScenario.RunAsync(options),
        _ => throw new ArgumentException($"unknown scenario '{scenario}'; known: push"),
    };
    Console.WriteLine(result.ToJson());
    results.Add(result);
}

Console.WriteLine();
Console.WriteLine(ScenarioResult.MarkdownTable(results));
return 0;

namespace Promotion.Benchmarks
{
    /// <summary>Command-line parameters of a run.</summary>
    internal sealed record BenchmarkOptions(IReadOnlyList<string> Scenarios, long Members, int LatencyMs, int Window)
    {
        public static BenchmarkOptions Parse(string[] args)
        {
            var scenarios = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return new BenchmarkOptions(
                scenarios.Count > 0 ? scenarios : ["push"],
                long.Parse(Value("--members") ?? "100000", CultureInfo.InvariantCulture),
                int.Parse(Value("--latency-ms") ?? "200", CultureInfo.InvariantCulture),
                int.Parse(Value("--window") ?? "1000", CultureInfo.InvariantCulture));
        }
    }
}
