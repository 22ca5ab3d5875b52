using Promotion.Host.Cli;
using Promotion.TestSupport;

namespace Promotion.Host.Tests;

public sealed class SeedGoodsVerbTests : IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Loads_products_and_days_of_statistics_ending_today_and_refuses_overlapping_ids()
    {
        Assert.Equal(0, await HostCommandLine.RunAsync(["seed-goods", "--products", "5000", "--days", "14", "--categories", "toys,books", "--start-id", "100", "--postgres", _db.ConnectionString]));

        await using var source = _db.CreateDataSource();
        await using (var cmd = source.CreateCommand("SELECT count(*), min(id), max(id), count(DISTINCT category) FROM products"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal((5_000L, 100L, 5_099L, 2L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        await using (var cmd = source.CreateCommand("SELECT count(*), min(day), max(day) FROM product_daily_stats"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            Assert.Equal(70_000L, reader.GetInt64(0));
            Assert.Equal(today.AddDays(-13), reader.GetFieldValue<DateOnly>(1));
            Assert.Equal(today, reader.GetFieldValue<DateOnly>(2));
        }

        Assert.Equal(1, await HostCommandLine.RunAsync(["seed-goods", "--products", "10", "--days", "1", "--start-id", "5095", "--postgres", _db.ConnectionString]));
        await using (var cmd = source.CreateCommand("SELECT count(*) FROM products"))
        {
            Assert.Equal(5_000L, (long)(await cmd.ExecuteScalarAsync())!);
        }
    }

    [Theory]
    [InlineData("--products", "0")]
    [InlineData("--days", "0")]
    [InlineData("--days", "400")]
    [InlineData("--categories", " , ")]
    public async Task Bad_arguments_are_refused_before_touching_the_database(string option, string value)
    {
        var args = new List<string> { "seed-goods", "--products", "10", "--days", "3", "--postgres", _db.ConnectionString };
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        Assert.NotEqual(0, await HostCommandLine.RunAsync([.. args]));
        await using var source = _db.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT count(*) FROM pg_tables WHERE tablename = 'products'");
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }
}
