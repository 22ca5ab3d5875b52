using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Promotion.Benchmarks;

/// <summary>One scenario's figures: printed as a JSON line and as a markdown table row.</summary>
internal sealed record ScenarioResult(string Scenario, IReadOnlyDictionary<string, object> Figures)
{
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>(Figures) { ["scenario"] = Scenario });

    public static string MarkdownTable(IEnumerable<ScenarioResult> results)
    {
        var sb = new StringBuilder("| scenario | figure | value |\n|---|---|---|\n");
        foreach (var r in results)
        {
            foreach (var (k, v) in r.Figures)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {r.Scenario} | {k} | {v} |\n");
            }
        }

        return sb.ToString();
    }
}
