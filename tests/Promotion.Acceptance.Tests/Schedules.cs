using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>The hot-goods schedule API and firings table as the schedule tests read them.</summary>
internal static partial class Schedules
{
    public const string EveryFiveSeconds = "0/5 * * * * ?";
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    internal static async Task<Guid> CreateScheduleAsync(HttpClient api, string segment, object? followUp = null)
    {
        var response = await api.PostAsJsonAsync("/api/hot-goods-schedules", new { segment, cron = EveryFiveSeconds, topK = 3, channels = new[] { "inbox" }, followUp }, Cluster.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cluster.Json)).GetProperty("id").GetGuid();
    }

    internal static async Task<IReadOnlyList<Firing>> FiringsAsync(HttpClient api, Guid id)
    {
        var body = await api.GetFromJsonAsync<JsonElement>($"/api/hot-goods-schedules/{id}/firings?limit=200", Cluster.Json);
        return [.. body.GetProperty("items").EnumerateArray().Select(f => new Firing(
            f.GetProperty("scheduledAt").GetDateTimeOffset(),
            f.GetProperty("nodeId").GetString()!,
            f.GetProperty("claimedAt").GetDateTimeOffset(),
            f.GetProperty("outcome").ValueKind == JsonValueKind.Null ? null : f.GetProperty("outcome").GetString(),
            f.GetProperty("campaignId").ValueKind == JsonValueKind.Null ? null : f.GetProperty("campaignId").GetGuid(),
            f.GetProperty("followUpId").ValueKind == JsonValueKind.Null ? null : f.GetProperty("followUpId").GetGuid()))];
    }

    // While no host runs there is no API to ask.
    internal static async Task<IReadOnlyList<Firing>> FiringsFromDatabaseAsync(Cluster cluster, Guid id)
    {
        await using var source = cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT scheduled_at, node_id, claimed_at, outcome, campaign_id, follow_up_id FROM hot_goods_firings WHERE schedule_id = $1");
        cmd.Parameters.AddWithValue(id);
        var firings = new List<Firing>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            firings.Add(new Firing(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.IsDBNull(5) ? null : reader.GetGuid(5)));
        }

        return firings;
    }

    internal static async Task<IReadOnlyList<Firing>> WaitForFiringsAsync(HttpClient api, Guid id, int count, TimeSpan timeout)
    {
        IReadOnlyList<Firing> firings = [];
        await Eventually.TrueAsync(async () => (firings = await FiringsAsync(api, id)).Count(f => f.Outcome is not null) >= count, timeout, $"{count} firings");
        return firings;
    }

    // Newest first.
    internal static async Task<IReadOnlyList<(Guid Id, string Name)>> HotGoodsCampaignsAsync(HttpClient api)
    {
        var body = await api.GetFromJsonAsync<JsonElement>("/api/campaigns?kind=HotGoods&pageSize=200", Cluster.Json);
        return [.. body.GetProperty("items").EnumerateArray().Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("name").GetString()!))];
    }

    // Every hot-goods campaign belongs to exactly one firing and every finished firing to one campaign; names carry the fire time.
    internal static Task AssertOneCampaignPerFiringAsync(HttpClient api, Guid scheduleId) =>
        Eventually.TrueAsync(async () =>
        {
            var campaigns = await HotGoodsCampaignsAsync(api);
            var firings = (await FiringsAsync(api, scheduleId)).Where(f => f.Outcome is not null).ToList();
            Assert.Equal(campaigns.Count, campaigns.Select(c => c.Name).Distinct().Count());
            return campaigns.Select(c => c.Id).Order().SequenceEqual(firings.Select(f => f.CampaignId!.Value).Order());
        }, TimeSpan.FromSeconds(10), "one campaign per firing");

    [GeneratedRegex(@"Hot-goods schedule (?<id>[0-9a-f-]{36}) missed \d+ occurrences from (?<from>\S+) to[^\r\n]*")]
    internal static partial Regex MissedLog();

    internal sealed record Firing(DateTimeOffset ScheduledAt, string NodeId, DateTimeOffset ClaimedAt, string? Outcome, Guid? CampaignId, Guid? FollowUpId);
}
