using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Host.Tests.Dashboard;

public sealed class DistributedStatsTests : IAsyncLifetime
{
    private readonly DistributedServers _servers = new();

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task Stats_read_postgres_aggregates_the_orleans_membership_and_rabbitmq_queue_depths()
    {
        await using var factory = _servers.Host(("Promotion:Stats:CacheFor", "00:00:00"));
        using var api = factory.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", DistributedServers.OperatorKey);

        JsonElement stats = default;
        await Eventually.TrueAsync(async () =>
        {
            stats = await api.GetFromJsonAsync<JsonElement>("/api/stats");
            return stats.GetProperty("nodes").GetProperty("alive").GetInt32() == 1
                && stats.GetProperty("queues").GetProperty("items").EnumerateArray().Any(q => q.GetProperty("name").GetString() == "promotion-login-events.0" && q.GetProperty("consumers").ValueKind == JsonValueKind.Number && q.GetProperty("consumers").GetInt64() > 0);
        }, TimeSpan.FromSeconds(30), "this silo in the membership and its consumer on promotion-login-events.0");

        Assert.Equal("Distributed", stats.GetProperty("host").GetProperty("profile").GetString());
        Assert.Equal(0, stats.GetProperty("campaigns").GetProperty("total").GetInt64());
        Assert.Equal(0, stats.GetProperty("shards").GetProperty("total").GetInt32());
        var logins = stats.GetProperty("queues").GetProperty("items").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "promotion-login-events.0");
        Assert.Equal(0, logins.GetProperty("messages").GetInt64());
        Assert.Equal(JsonValueKind.Number, stats.GetProperty("queues").GetProperty("total").ValueKind);
    }
}
