using Promotion.Host.Cli;
using Promotion.TestSupport;

namespace Promotion.Host.Tests;

public sealed class SeedMembersVerbTests : IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Loads_members_with_copy_and_refuses_overlapping_ids_without_changing_anything()
    {
        Assert.Equal(0, await HostCommandLine.RunAsync(["seed-members", "--count", "20000", "--segments", "gamers,vip", "--start-id", "1000", "--postgres", _db.ConnectionString]));

        await using var source = _db.CreateDataSource();
        await using (var cmd = source.CreateCommand("SELECT count(*), min(id), max(id) FROM members"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal((20_000L, 1_000L, 20_999L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        await using (var cmd = source.CreateCommand("SELECT array_agg(name ORDER BY name) FROM segments"))
        {
            Assert.Equal(["gamers", "vip"], (string[])(await cmd.ExecuteScalarAsync())!);
        }

        Assert.Equal(1, await HostCommandLine.RunAsync(["seed-members", "--count", "10", "--start-id", "20995", "--postgres", _db.ConnectionString]));
        await using (var cmd = source.CreateCommand("SELECT count(*) FROM members"))
        {
            Assert.Equal(20_000L, (long)(await cmd.ExecuteScalarAsync())!);
        }
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--count", "abc")]
    [InlineData("--start-id", "-5")]
    public async Task Bad_arguments_are_refused_before_touching_the_database(string option, string value)
    {
        var args = option == "--count"
            ? new[] { "seed-members", option, value, "--postgres", _db.ConnectionString }
            : ["seed-members", "--count", "10", option, value, "--postgres", _db.ConnectionString];
        Assert.NotEqual(0, await HostCommandLine.RunAsync(args));

        await using var source = _db.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT to_regclass('members') IS NULL");
        Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
    }
}
