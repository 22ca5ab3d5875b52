using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>
/// Throw-away PostgreSQL database, RabbitMQ vhost and Redis prefix, a loopback webhook receiver,
/// and host processes started against them.
/// </summary>
public sealed class Cluster : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<HostProcess> _hosts = [];

    /// <summary>The host processes started so far.</summary>
    public IReadOnlyList<HostProcess> Hosts => _hosts;

    private readonly TemporaryServers _servers = new();

    public TemporaryDatabase Database => _servers.Database;

    public TemporaryVirtualHost Broker => _servers.Broker;

    public TemporaryRedisPrefix Redis => _servers.Redis;

    public WebhookReceiver Receiver { get; } = new();

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        await Receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var h in _hosts)
        {
            await h.DisposeAsync();
        }

        await Receiver.DisposeAsync();
        await _servers.DisposeAsync();
    }

    /// <summary>The operator key the cluster's hosts accept (generated per test run; never a real secret).</summary>
    public string OperatorKey { get; } = "operator-" + Guid.NewGuid().ToString("N");

    /// <summary>The producer key the cluster's hosts accept for event ingestion only.</summary>
    public string ProducerKey { get; } = "producer-" + Guid.NewGuid().ToString("N");

    /// <summary>An HTTP client for <paramref name="host"/> that sends the operator key.</summary>
    public HttpClient ApiClient(HostProcess host, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        var client = new HttpClient { BaseAddress = new Uri(host.Url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key ?? OperatorKey);
        return client;
    }

    public Dictionary<string, string> Settings(string roles, params (string Key, string Value)[] extra)
    {
        var s = new Dictionary<string, string>
        {
            ["Promotion:Profile"] = "Distributed",
            ["Promotion:Security:OperatorApiKeys:0"] = OperatorKey,
            ["Promotion:Security:ProducerApiKeys:0"] = ProducerKey,
            ["Promotion:Roles"] = roles,
            ["ConnectionStrings:Postgres"] = Database.ConnectionString,
            ["ConnectionStrings:Redis"] = TestServers.Redis,
            ["ConnectionStrings:RabbitMq"] = Broker.ConnectionString,
            ["Promotion:Redis:KeyPrefix"] = Redis.Prefix,
            ["Promotion:Senders:Webhook:Url"] = Receiver.Url,
        };
        foreach (var (k, v) in extra)
        {
            s[k] = v;
        }

        return s;
    }

    public async Task<HostProcess> StartHostAsync(string roles, params (string Key, string Value)[] extra)
    {
        var host = await HostProcess.StartAsync(Settings(roles, extra));
        _hosts.Add(host);
        return host;
    }

    public async Task SeedMembersAsync(long count, string segments = "gamers,parents,vip")
    {
        var (code, output) = await HostProcess.RunVerbAsync(["seed-members", "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--segments", segments, "--postgres", Database.ConnectionString]);
        Assert.True(code == 0, output);
    }

    public async Task SeedGoodsAsync(long products, int days, string categories)
    {
        var (code, output) = await HostProcess.RunVerbAsync(["seed-goods", "--products", products.ToString(System.Globalization.CultureInfo.InvariantCulture), "--days", days.ToString(System.Globalization.CultureInfo.InvariantCulture), "--categories", categories, "--postgres", Database.ConnectionString]);
        Assert.True(code == 0, output);
    }

    /// <summary>The status Orleans' membership table gives the silo named <paramref name="siloName"/> (3 active, 6 dead), or null.</summary>
    public async Task<int?> SiloStatusAsync(string siloName)
    {
        await using var source = Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT status FROM orleansmembershiptable WHERE siloname = $1 ORDER BY generation DESC LIMIT 1");
        cmd.Parameters.AddWithValue(siloName);
        return await cmd.ExecuteScalarAsync() is int status ? status : null;
    }

    /// <summary>Runs infra/restart.sh for <paramref name="server"/> (postgres, rabbitmq or redis), as the resilience tests need.</summary>
    public static async Task RestartServerAsync(string server)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "infra", "restart.sh")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("infra/restart.sh not found above the test folder");
        }

        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash") { ArgumentList = { Path.Combine(root, "infra", "restart.sh"), server }, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"restart {server} failed: {output}");
    }

    /// <summary>Shards of <paramref name="campaignId"/> by (status, the silo that works or ended it).</summary>
    public async Task<List<(string Status, string? Owner)>> ShardsAsync(Guid campaignId)
    {
        await using var source = Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT status, owner FROM campaign_shards WHERE campaign_id = $1 ORDER BY shard_no");
        cmd.Parameters.AddWithValue(campaignId);
        var rows = new List<(string, string?)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return rows;
    }

    public static async Task<Guid> CreateCampaignAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/campaigns", body, Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> GetCampaignAsync(HttpClient api, Guid id) =>
        await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}", Json);

    /// <summary>
    /// Waits until the campaign has <paramref name="status"/>; a timeout says where it stands: its
    /// counters, its open shards by status and silo, the membership and each host's last warnings.
    /// </summary>
    public async Task<JsonElement> WaitForStatusAsync(HttpClient api, Guid id, string status, TimeSpan timeout)
    {
        JsonElement last = default;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                last = await GetCampaignAsync(api, id);
                return last.GetProperty("status").GetString() == status;
            }, timeout, $"campaign {id} to be {status}");
            return last;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{await DescribeAsync(id, last)}", ex);
        }
    }

    private async Task<string> DescribeAsync(Guid id, JsonElement campaign)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"campaign: {(campaign.ValueKind == JsonValueKind.Undefined ? "never read" : campaign.GetRawText())}");
        try
        {
            await using var source = Database.CreateDataSource();
            await using (var cmd = source.CreateCommand(
                "SELECT shard_no, status, owner, cursor, hi, epoch, attempts, started_at IS NOT NULL FROM campaign_shards WHERE campaign_id = $1 AND status IN ('pending', 'running') ORDER BY shard_no LIMIT 40"))
            {
                cmd.Parameters.AddWithValue(id);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                        $"open shard {reader.GetInt32(0)}: {reader.GetString(1)} on {(reader.IsDBNull(2) ? "-" : reader.GetString(2))}, cursor {reader.GetInt64(3)} of {reader.GetInt64(4)}, epoch {reader.GetInt64(5)}, attempts {reader.GetInt32(6)}, started {reader.GetBoolean(7)}");
                }
            }

            await using (var cmd = source.CreateCommand("SELECT siloname, status FROM orleansmembershiptable ORDER BY siloname, generation"))
            {
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"silo {reader.GetString(0)}: status {reader.GetInt32(1)}");
                }
            }
        }
        catch (Npgsql.NpgsqlException ex)
        {
            text.AppendLine("the database could not be read: " + ex.Message);
        }

        for (var i = 0; i < _hosts.Count; i++)
        {
            // The simple console format writes "warn: Category" and the message on the next line.
            var lines = _hosts[i].Output.Split('\n');
            var warnings = lines.Select((line, at) => (line, at))
                .Where(l => l.line.StartsWith("warn:", StringComparison.Ordinal) || l.line.StartsWith("fail:", StringComparison.Ordinal))
                .TakeLast(8)
                .Select(l => l.line.TrimEnd() + (l.at + 1 < lines.Length ? " " + lines[l.at + 1].Trim() : ""));
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"host {i} ({(_hosts[i].HasExited ? "exited" : "running")}), last warnings:");
            foreach (var line in warnings)
            {
                text.AppendLine("  " + line);
            }
        }

        return text.ToString();
    }
}
