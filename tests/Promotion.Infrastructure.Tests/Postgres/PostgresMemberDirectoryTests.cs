using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Engine.Members;
using Promotion.Infrastructure.Postgres;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Postgres;

public sealed class PostgresMemberDirectoryTests : MemberDirectoryContract, IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();
    private NpgsqlDataSource _source = null!;
    private PostgresMemberDirectory _directory = null!;

    protected override IMemberDirectory Directory => _directory;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = _db.CreateDataSource();
        await new SchemaMigrator(_source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);
        _directory = new PostgresMemberDirectory(_source);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Range_probe_sees_existing_ids()
    {
        await _directory.ImportAsync(Domain.Members.SyntheticMembers.Range(50, 10, Segments), null, default);
        Assert.True(await _directory.AnyInRangeAsync(59, 100, default));
        Assert.False(await _directory.AnyInRangeAsync(60, 100, default));
    }
}
