using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;
using Xunit.Abstractions;

namespace Promotion.Host.Tests.Endpoints;

/// <summary>The webhook sender's per-channel circuit in a whole campaign: one channel's gateway down, the campaign goes on.</summary>
public sealed class WebhookCircuitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string CircuitReason = "circuit open: the sms webhook keeps failing";
    private readonly WebhookReceiver _receiver = new();

    public Task InitializeAsync() => _receiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_channel_failing_every_call_opens_its_circuit_and_the_campaign_completes_with_its_members_failed_for_that_reason()
    {
        _receiver.FailingPaths["/sms"] = true;
        await using var factory = PromotionHostFactory.Embedded(
            ("Promotion:Demo:Campaign", "false"),
            ("Promotion:Senders:Webhook:Url", _receiver.Url),
            ("Promotion:Senders:Webhook:ChannelUrls:sms", _receiver.UrlFor("sms")),
            ("Promotion:Senders:Webhook:CircuitBreaker:MinimumThroughput", "10"),
            ("Promotion:Senders:Webhook:CircuitBreaker:BreakDuration", "00:10:00"),
            ("Promotion:Shards:PageSize", "100"));
        using var client = factory.CreateClient();

        var created = await client.PostAsJsonAsync("/api/campaigns", new { name = "sms gateway down", message = new { title = "t", body = "b" }, channels = new[] { "app", "sms" }, shardSize = 100 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        JsonElement campaign = default;
        await Eventually.TrueAsync(async () => (campaign = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("status").GetString() == "Completed",
            TimeSpan.FromSeconds(90), $"campaign {id} to complete");

        long Count(string name) => campaign.GetProperty(name).GetInt64();
        Assert.Equal(500, Count("audienceSize"));
        Assert.Equal(Count("audienceSize"), Count("sent") + Count("failed") + Count("skipped"));
        var failed = Count("failed");
        Assert.True(failed > 100, $"members with an sms contact fail: {failed}");
        // Every app send went through: the sms circuit is the sms channel's alone.
        Assert.Equal(_receiver.Received.Count, _receiver.AttemptsByPath.GetValueOrDefault("/"));

        var reasons = (await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}/failures/reasons")).GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("outcome").GetString() == "Failed")
            .ToDictionary(r => r.GetProperty("reason").GetString()!, r => r.GetProperty("count").GetInt64());
        output.WriteLine($"campaign: sent {Count("sent")}, failed {failed}, skipped {Count("skipped")}; sms calls {_receiver.AttemptsByPath["/sms"]}; failure reasons: " +
            string.Join("; ", reasons.Select(r => $"{r.Key} x{r.Value}")));
        Assert.Equal(failed, reasons.Values.Sum());
        Assert.All(reasons.Keys, r => Assert.True(r == CircuitReason || r == "retries exhausted: HTTP 503", r));
        Assert.True(reasons.GetValueOrDefault(CircuitReason) >= failed * 9 / 10, "most sms members fail fast on the open circuit");
        // Without the circuit each sms member would be tried MaxAttempts (4) times; the open circuit called nobody.
        Assert.True(_receiver.AttemptsByPath["/sms"] < failed * 2, $"{_receiver.AttemptsByPath["/sms"]} sms calls for {failed} sms members");

        var report = await client.GetStringAsync($"/api/campaigns/{id}/report.csv");
        Assert.Contains(CircuitReason, report, StringComparison.Ordinal);
    }
}
