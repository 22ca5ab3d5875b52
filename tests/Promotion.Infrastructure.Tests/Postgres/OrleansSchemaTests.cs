using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Promotion.Infrastructure.Postgres;
using Promotion.TestSupport;
using Xunit.Abstractions;

namespace Promotion.Infrastructure.Tests.Postgres;

/// <summary>
/// Migration V0007 against the contract of the Orleans 10.4.2 AdoNet providers (clustering, grain
/// persistence, reminders; invariant Npgsql): the stored queries they load, and two real silos in
/// this process clustering, storing grain state and keeping reminders on a migrated database.
/// </summary>
public sealed class OrleansSchemaTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Every key the three providers load; a silo refuses to start when one is missing.
    private static readonly string[] ContractQueryKeys =
    [
        // clustering
        "CleanupDefunctSiloEntriesKey",
        "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey",
        "InsertMembershipKey",
        "InsertMembershipVersionKey",
        "MembershipReadAllKey",
        "MembershipReadRowKey",
        "UpdateIAmAlivetimeKey",
        "UpdateMembershipKey",
        // persistence
        "ClearStorageKey",
        "DeleteStorageKey",
        "ReadFromStorageKey",
        "WriteToStorageKey",
        // reminders
        "DeleteReminderRowKey",
        "DeleteReminderRowsKey",
        "ReadRangeRows1Key",
        "ReadRangeRows2Key",
        "ReadReminderRowKey",
        "ReadReminderRowsKey",
        "UpsertReminderRowKey",
    ];

    private const int SiloActive = 3;
    private const int SiloDead = 6;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TemporaryDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Migrating_an_empty_database_stores_exactly_the_contract_queries()
    {
        await using var source = _db.CreateDataSource();
        await MigrateAsync(source);

        var keys = await QueryListAsync<string>(source, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey", []);

        Assert.Equal(20, ContractQueryKeys.Length);
        Assert.Equal(ContractQueryKeys.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Migrating_twice_at_once_and_again_over_existing_orleans_tables_succeeds()
    {
        await using var first = _db.CreateDataSource();
        await using var second = _db.CreateDataSource();

        // Two migrators at the same moment on an empty database: one applies, the other waits.
        var applied = await Task.WhenAll(MigrateAsync(first), MigrateAsync(second));
        Assert.Equal(SchemaMigrator.Scripts.Count, applied.Sum());
        Assert.Equal(0, await MigrateAsync(first));

        // The Orleans script must also apply over tables, functions and queries that already exist
        // (a database where Orleans' own scripts were run by hand): forget it was applied, and a
        // stale query text must be replaced by ours.
        var orleansVersion = SchemaMigrator.Scripts.Single(s => s.Name.EndsWith("__orleans", StringComparison.Ordinal)).Version;
        await ExecuteAsync(first, "DELETE FROM schema_migrations WHERE version = " + orleansVersion.ToString(CultureInfo.InvariantCulture));
        await ExecuteAsync(first, "UPDATE OrleansQuery SET QueryText = 'stale' WHERE QueryKey = 'GatewaysQueryKey'");
        Assert.Equal(1, await MigrateAsync(second));

        var texts = await QueryListAsync<string>(first, "SELECT QueryText FROM OrleansQuery", []);
        Assert.Equal(ContractQueryKeys.Length, texts.Count);
        Assert.DoesNotContain("stale", texts);
    }

    [Fact]
    public async Task Two_silos_cluster_share_grain_state_and_keep_reminders_on_the_migrated_database()
    {
        await using var source = _db.CreateDataSource();
        await MigrateAsync(source);
        var clusterId = "orleans-schema-" + Guid.NewGuid().ToString("N")[..8];
        var ports = FreeLoopbackPorts(4);

        await using var silo1 = StartSilo("silo-1", clusterId, ports[0], ports[1]);
        await using var silo2 = StartSilo("silo-2", clusterId, ports[2], ports[3]);
        // Both at once: their membership inserts race on the table version, the path the
        // version check in insert_membership exists for.
        await Task.WhenAll(silo1.StartAsync(), silo2.StartAsync());

        // Clustering: both rows Active in the table, and each silo sees the other as active.
        await Eventually.TrueAsync(
            async () => await ActiveSilosAsync(source, clusterId) == 2,
            Timeout,
            "two Active rows in OrleansMembershipTable");
        string[] both = [.. new[] { silo1.Address, silo2.Address }.Order(StringComparer.Ordinal)];
        foreach (var silo in new[] { silo1, silo2 })
        {
            // A silo learns of the other's Active row by gossip or its next table read: wait for it.
            await Eventually.TrueAsync(
                async () =>
                {
                    var hosts = await silo.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                    return hosts.Keys.Select(a => a.ToParsableString()).Order(StringComparer.Ordinal).SequenceEqual(both);
                },
                Timeout,
                $"{silo.Address} to see both silos active");
        }

        // Persistence: written through silo 1 (the grain activates there)...
        var written = await silo1.Grains.GetGrain<IOrleansProbeGrain>("state").WriteAsync("written via silo 1");
        Assert.Equal(silo1.Address, written.Silo);

        // ...and, once silo 1 left gracefully (deactivating the grain), read back through silo 2 by
        // a new activation there, from the database.
        await silo1.StopAsync();
        Assert.Equal(SiloDead, await SiloStatusAsync(source, clusterId, silo1.Port));
        var read = await silo2.Grains.GetGrain<IOrleansProbeGrain>("state").ReadAsync();
        Assert.Equal(silo2.Address, read.Silo);
        Assert.Equal("written via silo 1", read.Value);
        Assert.Equal("written via silo 1", read.KeptValue);
        Assert.True(read.RecordExists);

        // Clearing: the DeleteStateOnClear storage drops its row, the other keeps a row without payload.
        await silo2.Grains.GetGrain<IOrleansProbeGrain>("state").ClearAsync();
        var rows = await QueryListAsync<string>(
            source,
            "SELECT GrainTypeString || ':' || (PayloadBinary IS NULL) FROM OrleansStorage ORDER BY 1",
            []);
        Assert.Equal([OrleansProbeGrain.KeepingState + ":true"], rows);

        // Reminders: registered by a grain, listed by it, in the table, and found by both range
        // queries (one for a plain range, one for a range wrapping the ring's end).
        var reminderGrain = silo2.Grains.GetGrain<IOrleansProbeGrain>("reminders");
        await reminderGrain.RegisterReminderAsync("probe-tick");
        await reminderGrain.RegisterReminderAsync("probe-tock");
        Assert.Equal(["probe-tick", "probe-tock"], await reminderGrain.ListRemindersAsync());
        Assert.Equal(
            ["probe-tick", "probe-tock"],
            await QueryListAsync<string>(
                source,
                "SELECT ReminderName FROM OrleansRemindersTable WHERE ServiceId = $1 ORDER BY 1",
                [clusterId]));
        var reminderTable = silo2.Services.GetRequiredService<IReminderTable>();
        // Begin < End as ints runs ReadRangeRows1Key, Begin >= End (wrapping) runs ReadRangeRows2Key;
        // each range below leaves out a single hash value of the 2^32.
        Assert.Equal(2, (await reminderTable.ReadRows(unchecked((uint)int.MinValue), int.MaxValue)).Reminders.Count);
        Assert.Equal(2, (await reminderTable.ReadRows(int.MaxValue, int.MaxValue - 1)).Reminders.Count);
        await reminderGrain.UnregisterReminderAsync("probe-tick");
        Assert.Equal(["probe-tock"], await reminderGrain.ListRemindersAsync());
        await reminderTable.TestOnlyClearTable();
        Assert.Empty(await QueryListAsync<string>(source, "SELECT ReminderName FROM OrleansRemindersTable", []));

        // Membership housekeeping: the departed silo's row is defunct, the live one stays.
        var membership = silo2.Services.GetRequiredService<IMembershipTable>();
        await membership.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Null(await SiloStatusAsync(source, clusterId, silo1.Port));
        Assert.Equal(SiloActive, await SiloStatusAsync(source, clusterId, silo2.Port));

        await silo2.StopAsync();
        await membership.DeleteMembershipTableEntriesAsync(clusterId);
        Assert.Empty(await QueryListAsync<string>(
            source,
            "SELECT DeploymentId FROM OrleansMembershipVersionTable UNION ALL SELECT DeploymentId FROM OrleansMembershipTable",
            []));
    }

    private Silo StartSilo(string name, string clusterId, int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output, name));
        var connectionString = _db.ConnectionString;
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage(OrleansProbeGrain.DeletingStore, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = true;
            });
            silo.AddAdoNetGrainStorage(OrleansProbeGrain.KeepingStore, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = false;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        });
        return new Silo(builder.Build(), siloPort);
    }

    private static async Task<int> MigrateAsync(NpgsqlDataSource source) =>
        await new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);

    private static async Task<long> ActiveSilosAsync(NpgsqlDataSource source, string clusterId)
    {
        await using var cmd = source.CreateCommand("SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = $1 AND Status = $2");
        cmd.Parameters.AddWithValue(clusterId);
        cmd.Parameters.AddWithValue(SiloActive);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<int?> SiloStatusAsync(NpgsqlDataSource source, string clusterId, int port)
    {
        await using var cmd = source.CreateCommand("SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = $1 AND Port = $2");
        cmd.Parameters.AddWithValue(clusterId);
        cmd.Parameters.AddWithValue(port);
        return await cmd.ExecuteScalarAsync() as int?;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource source, string sql)
    {
        await using var cmd = source.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<T>> QueryListAsync<T>(NpgsqlDataSource source, string sql, object[] args)
    {
        await using var cmd = source.CreateCommand(sql);
        foreach (var arg in args)
        {
            cmd.Parameters.AddWithValue(arg);
        }

        var list = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetFieldValue<T>(0));
        }

        return list;
    }

    // Orleans refuses port 0, so the test picks free ports: all listeners open at once, so the
    // ports are distinct, then released for the silos.
    private static int[] FreeLoopbackPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>A silo host of this test; stopped (if still running) and disposed at the end.</summary>
    private sealed class Silo(IHost host, int port) : IAsyncDisposable
    {
        private bool _running;

        public int Port => port;

        public IServiceProvider Services => host.Services;

        public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

        public string Address => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

        public async Task StartAsync()
        {
            _running = true;
            using var cts = new CancellationTokenSource(Timeout);
            await host.StartAsync(cts.Token);
        }

        /// <summary>A graceful stop: the silo deactivates its grains and marks itself Dead.</summary>
        public async Task StopAsync()
        {
            if (!_running)
            {
                return;
            }

            _running = false;
            using var cts = new CancellationTokenSource(Timeout);
            await host.StopAsync(cts.Token);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await StopAsync();
            }
            finally
            {
                host.Dispose();
            }
        }
    }

    /// <summary>Warnings and errors of the silos in the test's output, named by silo.</summary>
    private sealed class TestOutputLoggerProvider(ITestOutputHelper output, string name) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output, name, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ITestOutputHelper output, string name, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }

                try
                {
                    output.WriteLine($"[{name}] {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
                }
                catch (InvalidOperationException)
                {
                    // The test has finished; a late log line has nowhere to go.
                }
            }
        }
    }
}
