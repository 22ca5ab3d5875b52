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
    public void Scripts_have_unique_versions_in_order_from_1()
    {
        // Versions are applied by set difference, so a gap (a branch landing later) still applies; duplicates never may.
        var versions = SchemaMigrator.Scripts.Select(s => s.Version).ToList();
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.Distinct().Order(), versions);
    }
}
