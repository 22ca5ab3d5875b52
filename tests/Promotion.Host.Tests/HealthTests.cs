using System.Net;
using System.Text.Json;
using Promotion.TestSupport;
using Xunit.Abstractions;

namespace Promotion.Host.Tests;

public class EmbeddedHealthTests
{
    [Fact]
    public async Task Embedded_profile_needs_no_server_and_is_ready()
    {
        await using var factory = PromotionHostFactory.Embedded();
        using var client = factory.CreateClient();

        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("stores").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("login-events").GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}

public sealed class DistributedHealthTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly DistributedServers _servers = new();

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task Distributed_profile_is_ready_when_all_three_servers_answer_and_has_migrated()
    {
        await using var factory = _servers.Host();
        using var client = factory.CreateClient();

        await Eventually.TrueAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/health to answer 200");
        var body = await client.GetStringAsync("/health");
        output.WriteLine(body);
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks");
        foreach (var name in new[] { "postgres", "redis", "rabbitmq", "cluster" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }

        await using var source = _servers.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 1);

        // The host's silo is an active member of the cluster in PostgreSQL's membership table.
        Assert.Equal(1, checks.GetProperty("cluster").GetProperty("data").GetProperty("activeSilos").GetInt32());
        await using var members = source.CreateCommand("SELECT count(*) FROM orleansmembershiptable WHERE status = 3");
        Assert.Equal(1L, (long)(await members.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Health_is_503_and_names_the_dependency_that_does_not_answer()
    {
        // Nothing listens on port 1: the Redis client starts anyway and keeps trying.
        await using var factory = _servers.Host(("ConnectionStrings:Redis", "127.0.0.1:1,connectTimeout=500"));
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task Health_is_503_and_names_rabbitmq_when_the_broker_does_not_answer()
    {
        // Nothing listens on port 1: the host starts anyway; the login-event queues are declared once the broker answers.
        await using var factory = _servers.Host(("ConnectionStrings:RabbitMq", "amqp://promotion:nopassword@127.0.0.1:1/promotion"));
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("rabbitmq").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}
