using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Infrastructure.Postgres;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Postgres;

public sealed class SchemaMigratorTests : IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Hosts_starting_at_once_apply_each_migration_exactly_once()
    {
        var sources = Enumerable.Range(0, 4).Select(_ => _db.CreateDataSource()).ToList();
        try
        {
            var applied = await Task.WhenAll(sources.Select(s => new SchemaMigrator(s, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default)));

            Assert.Equal(SchemaMigrator.Scripts.Count, applied.Sum());
            await using var cmd = sources[0].CreateCommand("SELECT count(*) FROM schema_migrations");
            Assert.Equal((long)SchemaMigrator.Scripts.Count, (long)(await cmd.ExecuteScalarAsync())!);
            Assert.Equal(0, await new SchemaMigrator(sources[0], NullLogger<SchemaMigrator>.Instance).MigrateAsync(default));
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_database_quartz_scheduled_on_loses_the_quartz_tables_and_nothing_else()
    {
        // The tables Quartz.NET 4.7 provisioned under its default prefix, with its foreign keys; columns do not matter here.
        string[] quartz =
        [
            "job_details", "triggers", "simple_triggers", "cron_triggers", "simprop_triggers", "blob_triggers", "calendars", "paused_trigger_grps",
            "paused_job_grps", "fired_triggers", "scheduler_state", "locks", "execution_history", "misfire_history", "job_status",
        ];
        await using var source = _db.CreateDataSource();
        foreach (var table in quartz)
        {
            var key = table switch
            {
                "job_details" => "id int PRIMARY KEY",
                "triggers" => "id int PRIMARY KEY, job int REFERENCES qrtz_job_details (id)",
                _ when table.EndsWith("_triggers", StringComparison.Ordinal) && table != "fired_triggers" => "id int REFERENCES qrtz_triggers (id)",
                _ => "id int",
            };
            await using var create = source.CreateCommand($"CREATE TABLE qrtz_{table} ({key}); CREATE INDEX idx_qrtz_{table} ON qrtz_{table} (id)");
            await create.ExecuteNonQueryAsync();
        }

        await using (var mine = source.CreateCommand("CREATE TABLE qrtz_not_quartz (id int)"))
        {
            await mine.ExecuteNonQueryAsync();
        }

        await new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);

        await using var left = source.CreateCommand("SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'qrtz%'");
        Assert.Equal(["qrtz_not_quartz"], (string[])(await left.ExecuteScalarAsync())!);
    }

    [Fact]
    public void Scripts_have_unique_versions_in_order_from_1()
    {
        // Versions are applied by set difference, so a gap (a branch landing later) still applies; duplicates never may.
        var versions = SchemaMigrator.Scripts.Select(s => s.Version).ToList();
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.Distinct().Order(), versions);
    }
}
