using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Domain.HotGoods;
using Promotion.Infrastructure.Postgres;

namespace Promotion.Host.Cli;

/// <summary>
/// <c>seed-goods --products N --days D [--categories a,b,c] [--start-id K]</c>: bulk-loads synthetic
/// products and D days of their daily statistics (ending today, UTC) into PostgreSQL
/// (<c>ConnectionStrings:Postgres</c>) with binary COPY, showing progress.
/// </summary>
internal static class SeedGoodsVerb
{
    public static Command Create()
    {
        var products = new Option<long>("--products") { Description = "How many products to load", Required = true };
        var days = new Option<int>("--days") { Description = "Days of statistics per product, ending today (UTC)", Required = true };
        var categories = new Option<string>("--categories") { Description = "Comma list of categories to draw from (default: " + string.Join(",", SyntheticGoods.DefaultCategories) + ")" };
        var startId = new Option<long>("--start-id") { Description = "First product id (default 1)", DefaultValueFactory = _ => 1 };
        var postgres = new Option<string>("--postgres") { Description = "Connection string (default: ConnectionStrings:Postgres from configuration)" };

        var command = new Command("seed-goods", "Bulk-load synthetic products and daily statistics into PostgreSQL with binary COPY") { products, days, categories, startId, postgres };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Range checks here rather than in option validators: those also run on values that failed to parse.
            var n = parse.GetValue(products);
            var d = parse.GetValue(days);
            var first = parse.GetValue(startId);
            var categoryList = parse.GetValue(categories) is { } c ? ParseList(c) : SyntheticGoods.DefaultCategories;
            var error = n is < 1 or > 100_000_000 ? "--products must be between 1 and 100,000,000"
                : d is < 1 or > 366 ? "--days must be between 1 and 366"
                : n * d > 1_000_000_000 ? "--products × --days must be at most 1,000,000,000 statistics rows"
                : first < 1 ? "--start-id must be at least 1"
                : categoryList.Count == 0 ? "--categories must name at least one category"
                : null;
            if (error is not null)
            {
                await Console.Error.WriteLineAsync("seed-goods: " + error);
                return 2;
            }

            var connectionString = parse.GetValue(postgres) ?? HostCommandLine.LoadConfiguration().GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await Console.Error.WriteLineAsync("seed-goods: ConnectionStrings:Postgres is not set (environment ConnectionStrings__Postgres, or --postgres); see infra/up.sh");
                return 2;
            }

            return await RunAsync(connectionString, n, d, first, categoryList, DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime), cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string connectionString, long products, int days, long startId, IReadOnlyList<string> categories, DateOnly today, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(cancellationToken);
        var catalog = new PostgresGoodsCatalog(dataSource);
        var lastId = startId + products - 1;
        if (await catalog.AnyProductInRangeAsync(startId, lastId, cancellationToken))
        {
            await Console.Error.WriteLineAsync($"seed-goods: products with ids in {startId}..{lastId} already exist; nothing was loaded (choose another --start-id)");
            return 1;
        }

        var clock = Stopwatch.StartNew();
        await ConsoleProgress.RunAsync("products", products, "rows", progress =>
            catalog.ImportProductsAsync(SyntheticGoods.Range(startId, products, categories), progress, cancellationToken));
        var productSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var statsRows = products * days;
        var firstDay = today.AddDays(-(days - 1));
        await ConsoleProgress.RunAsync("daily statistics", statsRows, "rows", progress =>
            catalog.ImportDailyStatsAsync(SyntheticGoods.DailyStats(startId, products, firstDay, days), progress, cancellationToken));
        var statsSeconds = clock.Elapsed.TotalSeconds;

        // Fresh statistics: the window aggregate of a firing plans on them.
        clock.Restart();
        await using (var vacuum = dataSource.CreateCommand("VACUUM (ANALYZE) products, product_daily_stats"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        Console.WriteLine(FormattableString.Invariant(
            $"seed-goods: loaded {products:N0} products (ids {startId}..{lastId}) in {productSeconds:0.0} s, {products / productSeconds:N0} rows/s; ") +
            FormattableString.Invariant(
            $"{statsRows:N0} daily statistics ({firstDay:yyyy-MM-dd}..{today:yyyy-MM-dd}) in {statsSeconds:0.0} s, {statsRows / statsSeconds:N0} rows/s; vacuum analyze {clock.Elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine("seed-goods: categories " + string.Join(", ", categories) + "; map segments to them with PUT /api/segments/{segment}/categories");
        return 0;
    }

    private static List<string> ParseList(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
}
