using System.Text;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>Malformed messages and messages naming unknown campaigns end in the error queue with their reason; consumption goes on.</summary>
public sealed class PoisonMessageTests : IAsyncLifetime
{
    private const string ShardQueue = "promotion-shards-normal";
    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Poison_messages_go_to_the_error_queue_with_a_reason_and_the_consumer_keeps_consuming()
    {
        await _cluster.SeedMembersAsync(2_000);
        var host = await _cluster.StartHostAsync("api,worker");
        using var api = _cluster.ApiClient(host);

        await _cluster.Broker.PublishRawAsync(ShardQueue, Encoding.UTF8.GetBytes("{ this is not json"), "application/vnd.masstransit+json");
        var unknown = Guid.NewGuid();
        var envelope = $$"""
            {"messageId":"{{Guid.NewGuid()}}","messageType":["urn:message:Promotion.Engine.Campaigns:ProcessShard"],
             "message":{"campaignId":"{{unknown}}","shardNo":0,"priority":1} }
            """;
        await _cluster.Broker.PublishRawAsync(ShardQueue, Encoding.UTF8.GetBytes(envelope), "application/vnd.masstransit+json");

        // The consumer is not stuck behind them: a real campaign runs to the end meanwhile.
        var id = await Cluster.CreateCampaignAsync(api, new { name = "after poison", message = new { title = "t", body = "b" }, channels = new[] { "inbox" } });
        await Cluster.WaitForStatusAsync(api, id, "Completed", TimeSpan.FromMinutes(1));

        // Bounded retries (about 15 s of backoff for the unknown campaign), then the error queue, with the reason in the fault headers.
        System.Text.Json.JsonElement errors = default;
        await Eventually.TrueAsync(async () =>
        {
            errors = await _cluster.Broker.PeekAsync(ShardQueue + "_error", 10);
            return errors.GetArrayLength() >= 2;
        }, TimeSpan.FromSeconds(60), "both poison messages in the error queue");
        var reasons = errors.EnumerateArray()
            .Select(m => m.GetProperty("properties").GetProperty("headers").TryGetProperty("MT-Fault-Message", out var r) ? r.GetString() : null)
            .ToList();
        Assert.Contains(reasons, r => r is not null && r.Contains(unknown.ToString(), StringComparison.Ordinal) && r.Contains("unknown campaign", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r is not null && !r.Contains(unknown.ToString(), StringComparison.Ordinal));
        Assert.False(host.HasExited);
    }
}
