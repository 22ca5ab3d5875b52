using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Promotion.TestSupport;
using StackExchange.Redis;

namespace Promotion.Benchmarks;

/// <summary>When each shared server last started (null when it could not be asked).</summary>
public sealed record ServerStarts(DateTimeOffset? Postgres, string? RedisRunId, DateTimeOffset? RabbitMq)
{
    /// <summary>Names of the servers that restarted between <paramref name="before"/> and this snapshot.</summary>
    public IReadOnlyList<string> RestartedSince(ServerStarts before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var restarted = new List<string>();
        if (before.Postgres is { } p0 && Postgres is { } p1 && p1 != p0)
        {
            restarted.Add("postgresql");
        }

        if (before.RedisRunId is { } r0 && RedisRunId is { } r1 && r1 != r0)
        {
            restarted.Add("redis");
        }

        // Derived from the node's uptime, so allow for the time the two requests took.
        if (before.RabbitMq is { } q0 && RabbitMq is { } q1 && (q1 - q0).Duration() > TimeSpan.FromSeconds(5))
        {
            restarted.Add("rabbitmq");
        }

        return restarted;
    }
}

/// <summary>
/// The servers are shared with other engineers, whose resilience tests restart them. A round
/// that saw a restart is flagged (its duplicates are then the engine's documented re-sends of
/// in-flight pages, not a fault), so its figures can be read for what they are.
/// </summary>
public static class ServerRestarts
{
    public static async Task<ServerStarts> SnapshotAsync()
    {
        return new ServerStarts(await PostgresAsync(), await RedisAsync(), await RabbitMqAsync());
    }

    private static async Task<DateTimeOffset?> PostgresAsync()
    {
        try
        {
            await using var conn = new NpgsqlConnection(TestServers.Postgres);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT pg_postmaster_start_time()", conn);
            return (DateTimeOffset?)(DateTime)(await cmd.ExecuteScalarAsync())!;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private static async Task<string?> RedisAsync()
    {
        try
        {
            var options = ConfigurationOptions.Parse(TestServers.Redis);
            options.AllowAdmin = true; // INFO is an admin command to this client
            using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            var info = await server.InfoAsync("server");
            return info.SelectMany(g => g).FirstOrDefault(kv => kv.Key == "run_id").Value;
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException)
        {
            return null;
        }
    }

    private static async Task<DateTimeOffset?> RabbitMqAsync()
    {
        try
        {
            var amqp = new Uri(TestServers.RabbitMq);
            using var http = new HttpClient { BaseAddress = TestServers.RabbitMqManagement, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
            var nodes = await http.GetFromJsonAsync<JsonElement>("api/nodes");
            var uptime = nodes.EnumerateArray().Select(n => n.TryGetProperty("uptime", out var u) ? u.GetInt64() : 0).FirstOrDefault();
            return uptime > 0 ? DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(uptime) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }
}
