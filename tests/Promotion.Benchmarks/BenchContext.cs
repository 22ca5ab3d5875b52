using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// What the scenarios share in one invocation: the options, progress lines and bars, and seeded
/// member databases (by size, so plan's 10,000,000 members are reused by push at the same size).
/// Every database it made is dropped at the end.
/// </summary>
public sealed class BenchContext(BenchmarkOptions options, TextWriter progress, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly Dictionary<long, TemporaryDatabase> _seeded = [];
    private readonly List<TemporaryDatabase> _all = [];

    public BenchmarkOptions Options { get; } = options;

    public CancellationToken Cancellation { get; } = cancellationToken;

    /// <summary>Log lines and progress bars of the run, on <c>progress</c> (stderr).</summary>
    internal BenchProgress Progress { get; } = new(progress);

    public void Log(string line) => Progress.Log(line);

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
            var (code, output) = await Progress.TrackAsync($"seeding {count:N0} members", count, "members", p => SeedAsync(db, count, p));
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

    // The host's seed-members verb, with the rows it has loaded so far polled from the database.
    private static async Task<(int ExitCode, string Output)> SeedAsync(TemporaryDatabase db, long count, IProgress<long> progress)
    {
        var verb = HostProcess.RunVerbAsync(["seed-members", "--count", count.ToString(CultureInfo.InvariantCulture), "--postgres", db.ConnectionString]);
        await using var source = db.CreateDataSource();
        // Polled without the run's cancellation: an interrupted run still waits for the verb, then drops its database.
        while (await Task.WhenAny(verb, Task.Delay(500)) != verb)
        {
            progress.Report(await LoadedAsync(source));
        }

        return await verb;
    }

    // Ids 1..n are loaded in order, in COPY batches each committed on its own: the highest
    // committed id, plus the rows the running COPY has processed (pg_stat_progress_copy).
    private static async Task<long> LoadedAsync(NpgsqlDataSource source)
    {
        try
        {
            await using var cmd = source.CreateCommand(
                "SELECT coalesce((SELECT max(id) FROM members), 0) + coalesce((SELECT sum(tuples_processed) FROM pg_stat_progress_copy " +
                "WHERE datname = current_database() AND relid = 'members'::regclass), 0)");
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        catch (NpgsqlException)
        {
            // No members table before the verb's migration, or a server restart: no count this time.
            return 0;
        }
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

    /// <summary>
    /// A cluster id of its own for one run's hosts. Runs on one database otherwise join the last run's
    /// cluster, whose killed hosts are still Active in the membership table: new silos then wait
    /// until those are declared dead.
    /// </summary>
    public static string NewClusterId() => "bench-" + Guid.NewGuid().ToString("N")[..12];

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
