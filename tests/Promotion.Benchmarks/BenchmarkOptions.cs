using System.Globalization;

namespace Promotion.Benchmarks;

/// <summary>Command-line parameters of a run; every size is one, the defaults are the documented run.</summary>
public sealed record BenchmarkOptions
{
    public static readonly IReadOnlyList<string> AllScenarios = ["push", "plan", "coupons", "limit", "memory", "membership", "failover"];

    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;

    /// <summary>Rounds of every scenario (measurement and its baseline each round); medians are reported.</summary>
    public int Runs { get; init; } = 1;

    // push
    public long Members { get; init; } = 1_000_000;
    public int LatencyMs { get; init; } = 200;
    public int Window { get; init; } = 1000;
    public IReadOnlyList<int> Windows { get; init; } = [1000, 4000, 8000];
    public IReadOnlyList<int> ScaleHosts { get; init; } = [2, 3];
    public long CeilingCalls { get; init; } = 100_000;
    public long BaselineMembers { get; init; } = 6_000;
    public int BaselineThreads { get; init; } = 30;

    // plan
    public long PlanMembers { get; init; } = 10_000_000;
    public int ShardSize { get; init; } = 1000;

    // coupons
    public long CouponEvents { get; init; } = 100_000;
    public int CouponConcurrency { get; init; } = 8;
    public int CouponPacedRate { get; init; } = 5000;
    public int CouponPacedSeconds { get; init; } = 10;

    // limit
    public int Limit { get; init; } = 2000;
    public int LimitSeconds { get; init; } = 30;
    public int LimitHosts { get; init; } = 3;
    public int LimitLatencyMs { get; init; } = 50;

    // memory
    public long MemorySmall { get; init; } = 100_000;
    public long MemoryLarge { get; init; } = 2_000_000;
    public int MemoryLatencyMs { get; init; } = 20;

    // membership
    public int Kills { get; init; } = 5;

    // failover
    public long FailoverMembers { get; init; } = 300_000;
    public int FailoverLimit { get; init; } = 10_000;
    public int FailoverLatencyMs { get; init; } = 20;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchmarkOptions();
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                positional.AddRange(a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                continue;
            }

            if (a is "--help" or "-h")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{a} needs a value\n{Usage}");
            }

            var v = args[++i];
            o = a switch
            {
                "--scenarios" => o with { Scenarios = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--runs" => o with { Runs = Int(a, v, 1) },
                "--members" => o with { Members = Long(a, v, 1) },
                "--latency-ms" => o with { LatencyMs = Int(a, v, 0) },
                "--window" => o with { Window = Int(a, v, 1), Windows = [Int(a, v, 1)] },
                "--windows" => o with { Windows = [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(w => Int(a, w, 1))] },
                "--scale-hosts" => o with { ScaleHosts = v == "none" ? [] : [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h => Int(a, h, 2))] },
                "--ceiling-calls" => o with { CeilingCalls = Long(a, v, 1) },
                "--baseline-members" => o with { BaselineMembers = Long(a, v, 0) },
                "--baseline-threads" => o with { BaselineThreads = Int(a, v, 1) },
                "--plan-members" => o with { PlanMembers = Long(a, v, 1) },
                "--shard-size" => o with { ShardSize = Int(a, v, 1) },
                "--coupon-events" => o with { CouponEvents = Long(a, v, 1) },
                "--coupon-concurrency" => o with { CouponConcurrency = Int(a, v, 1) },
                "--coupon-paced-rate" => o with { CouponPacedRate = Int(a, v, 100) },
                "--coupon-paced-seconds" => o with { CouponPacedSeconds = Int(a, v, 1) },
                "--limit" => o with { Limit = Int(a, v, 1) },
                "--limit-seconds" => o with { LimitSeconds = Int(a, v, 1) },
                "--limit-hosts" => o with { LimitHosts = Int(a, v, 1) },
                "--limit-latency-ms" => o with { LimitLatencyMs = Int(a, v, 0) },
                "--memory-small" => o with { MemorySmall = Long(a, v, 1) },
                "--memory-large" => o with { MemoryLarge = Long(a, v, 1) },
                "--memory-latency-ms" => o with { MemoryLatencyMs = Int(a, v, 0) },
                "--kills" => o with { Kills = Int(a, v, 1) },
                "--failover-members" => o with { FailoverMembers = Long(a, v, 3) },
                "--failover-limit" => o with { FailoverLimit = Int(a, v, 1) },
                "--failover-latency-ms" => o with { FailoverLatencyMs = Int(a, v, 0) },
                _ => throw new ArgumentException($"unknown option {a}\n{Usage}"),
            };
        }

        if (positional.Count > 0)
        {
            o = o with { Scenarios = positional };
        }

        var unknown = o.Scenarios.Except(AllScenarios, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown scenario '{unknown[0]}'; known: {string.Join(",", AllScenarios)}");
        }

        return o;
    }

    public const string Usage = """
        usage: Promotion.Benchmarks [--scenarios push,plan,coupons,limit,memory,membership,failover] [--runs 1]
          push:    --members 1000000 --latency-ms 200 --windows 1000,4000,8000 --ceiling-calls 100000
                   --scale-hosts 2,3 (or none: the first window again on that many worker hosts)
                   --baseline-members 6000 --baseline-threads 30 (--window N: one window, also the memory scenario's)
          plan:    --plan-members 10000000 --shard-size 1000
          coupons: --coupon-events 100000 --coupon-concurrency 8 --coupon-paced-rate 5000 --coupon-paced-seconds 10
          limit:   --limit 2000 --limit-seconds 30 --limit-hosts 3 --limit-latency-ms 50
          memory:  --memory-small 100000 --memory-large 2000000 --memory-latency-ms 20
          membership: --kills 5
          failover: --failover-members 300000 --failover-limit 10000 --failover-latency-ms 20
        """;

    private static int Int(string name, string v, int min) => (int)Long(name, v, min);

    private static long Long(string name, string v, long min) =>
        long.TryParse(v.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"{name} must be an integer of at least {min}, not '{v}'");
}
