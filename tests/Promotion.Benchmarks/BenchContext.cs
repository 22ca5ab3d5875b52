using System.Diagnostics;
using System.Globalization;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// What the scenarios share in one invocation: the options, progress lines, and seeded member
/// databases (by size, so plan's 10,000,000 members are reused by push at the same size).
/// Every database it made is dropped at the end.
/// </summary>
public sealed class BenchContext(BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly Dictionary<long, TemporaryDatabase> _seeded = [];
    private readonly List<TemporaryDatabase> _all = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BenchmarkOptions Options { get; } = options;

    public CancellationToken Cancellation { get; } = cancellationToken;

    public void Log(string line)
    {
        lock (progress)
        {
            progress.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {line}");
            progress.Flush();
        }
    }

    /// <summary>A database holding members 1..<paramref name="count"/> (seeded once per size, with the host's seed-members verb).</summary>
    public async Task<TemporaryDatabase> MembersAsync(long count)
    {
        if (_seeded.TryGetValue(count, out var db))
        {
            return db;
        }

        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            db = await EmptyDatabaseAsync();
            clock.Restart();
            Log($"seeding {count:N0} members");
            var (code, output) = await HostProcess.RunVerbAsync(["seed-members", "--count", count.ToString(CultureInfo.InvariantCulture), "--postgres", db.ConnectionString]);
            if (code == 0)
            {
                break;
            }

            // A server restart (the servers are shared) fails the load; a fresh database is loaded again.
            if (attempt == 3)
            {
                throw new InvalidOperationException("seed-members failed:\n" + output);
            }

            Log($"seed-members failed (attempt {attempt}); loading again into a new database");
            await Task.Delay(TimeSpan.FromSeconds(5), Cancellation);
        }

        Log($"seeded {count:N0} members in {clock.Elapsed.TotalSeconds:0.0} s ({count / clock.Elapsed.TotalSeconds:N0}/s)");
        _seeded[count] = db;
        return db;
    }

    /// <summary>Adds the round's count of shared servers that restarted since <paramref name="before"/>, and says which.</summary>
    public async Task RestartsAsync(ScenarioResult result, ServerStarts before, string label)
    {
        ArgumentNullException.ThrowIfNull(result);
        var restarted = (await ServerRestarts.SnapshotAsync()).RestartedSince(before);
        result.Add("serverRestarts", restarted.Count);
        if (restarted.Count > 0)
        {
            Log($"{label}: {string.Join(", ", restarted)} restarted during this round (the servers are shared)");
        }
    }

    public async Task<TemporaryDatabase> EmptyDatabaseAsync()
    {
        var db = new TemporaryDatabase();
        await Transient.RetryAsync(async () =>
        {
            await db.InitializeAsync();
            return true;
        }, Cancellation);
        _all.Add(db);
        return db;
    }

    /// <summary>The operator API key the benchmark's hosts accept (generated per run).</summary>
    public static string OperatorKey { get; } = "bench-operator-" + Guid.NewGuid().ToString("N");

    /// <summary>An admin API client for the host at <paramref name="url"/>, sending the operator key.</summary>
    public static HttpClient Api(string url, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Add("X-Api-Key", OperatorKey);
        return client;
    }

    /// <summary>Settings of a host in the distributed profile on these throw-away resources.</summary>
    public static Dictionary<string, string> HostSettings(TemporaryDatabase db, TemporaryVirtualHost vhost, TemporaryRedisPrefix redis, string roles, string? webhookUrl)
    {
        var s = new Dictionary<string, string>
        {
            ["Promotion:Profile"] = "Distributed",
            ["Promotion:Security:OperatorApiKeys:0"] = OperatorKey,
            ["Promotion:Roles"] = roles,
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
            ["ConnectionStrings:Redis"] = TestServers.Redis,
            ["ConnectionStrings:RabbitMq"] = vhost.ConnectionString,
            ["Promotion:Redis:KeyPrefix"] = redis.Prefix,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (webhookUrl is not null)
        {
            s["Promotion:Senders:Webhook:Url"] = webhookUrl;
        }

        return s;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var db in _all)
        {
            try
            {
                await Transient.RetryAsync(async () =>
                {
                    await db.DisposeAsync();
                    return true;
                }, CancellationToken.None);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                Log($"could not drop database {db.Name}: {ex.Message}");
            }
        }
    }
}

/// <summary>A throw-away RabbitMQ vhost and Redis key prefix for one scenario, removed afterwards.</summary>
public sealed class ScenarioResources : IAsyncDisposable
{
    private ScenarioResources()
    {
    }

    public TemporaryVirtualHost Broker { get; } = new();

    public TemporaryRedisPrefix Redis { get; } = new();

    public static async Task<ScenarioResources> CreateAsync()
    {
        var r = new ScenarioResources();
        await r.Broker.InitializeAsync();
        await r.Redis.InitializeAsync();
        return r;
    }

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
