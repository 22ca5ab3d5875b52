using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Promotion.Benchmarks;

/// <summary>
/// One scenario's figures: fixed ones (sizes, settings) and measured ones, one value per round,
/// reported as their median. Printed as one JSON line and as rows of the markdown table.
/// </summary>
public sealed class ScenarioResult(string scenario)
{
    private readonly List<(string Name, object Value)> _fixed = [];
    private readonly List<(string Name, List<double> Values, string Unit)> _measured = [];

    public string Scenario { get; } = scenario;

    /// <summary>Why the scenario could not run; null when it ran.</summary>
    public string? NotAvailable { get; set; }

    public void Set(string name, object value)
    {
        var i = _fixed.FindIndex(f => f.Name == name);
        if (i >= 0)
        {
            _fixed[i] = (name, value);
        }
        else
        {
            _fixed.Add((name, value));
        }
    }

    /// <summary>Adds one round's value of a measured figure.</summary>
    public void Add(string name, double value, string unit = "")
    {
        var series = _measured.Find(m => m.Name == name);
        if (series.Values is null)
        {
            series = (name, [], unit);
            _measured.Add(series);
        }

        series.Values.Add(value);
    }

    public double? Median(string name) => _measured.Find(m => m.Name == name).Values is { Count: > 0 } v ? Stats.Median(v) : null;

    public string ToJson()
    {
        var json = new JsonObject { ["scenario"] = Scenario };
        if (NotAvailable is not null)
        {
            json["notAvailable"] = NotAvailable;
        }

        foreach (var (name, value) in _fixed)
        {
            json[name] = JsonSerializer.SerializeToNode(value);
        }

        var runs = new JsonObject();
        foreach (var (name, values, _) in _measured)
        {
            json[name] = Round(Stats.Median(values));
            if (values.Count > 1)
            {
                runs[name] = new JsonArray([.. values.Select(v => (JsonNode?)Round(v))]);
            }
        }

        if (runs.Count > 0)
        {
            json["runs"] = runs;
        }

        return json.ToJsonString();
    }

    public static string MarkdownTable(IEnumerable<ScenarioResult> results)
    {
        var sb = new StringBuilder("| scenario | figure | median | per run |\n|---|---|---|---|\n");
        foreach (var r in results)
        {
            if (r.NotAvailable is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {r.Scenario} | not available | {r.NotAvailable} | |\n");
            }

            foreach (var (name, value) in r._fixed)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {r.Scenario} | {name} | {Format(value)} | |\n");
            }

            foreach (var (name, values, unit) in r._measured)
            {
                var perRun = values.Count > 1 ? string.Join(", ", values.Select(v => Format(Round(v)))) : "";
                var suffix = unit.Length > 0 ? " " + unit : "";
                sb.Append(CultureInfo.InvariantCulture, $"| {r.Scenario} | {name} | {Format(Round(Stats.Median(values)))}{suffix} | {perRun} |\n");
            }
        }

        return sb.ToString();
    }

    // Three significant figures at least, never more than three decimals: ratios keep their digits, counts stay whole.
    private static double Round(double v) =>
        double.IsNaN(v) || double.IsInfinity(v) ? v
        : Math.Abs(v) >= 100 ? Math.Round(v)
        : Math.Abs(v) >= 1 ? Math.Round(v, 2)
        : Math.Round(v, 3);

    private static string Format(object value) => value switch
    {
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => ((long)d).ToString("N0", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        int i => i.ToString("N0", CultureInfo.InvariantCulture),
        IEnumerable<int> list => string.Join(" ", list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>Medians and percentiles of measured values.</summary>
public static class Stats
{
    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 0.5);

    /// <summary>Nearest-rank percentile (q in 0..1); NaN when there are no values.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        if (q == 0.5 && sorted.Length % 2 == 0)
        {
            return (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
