using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Domain.Members;
using Promotion.Infrastructure.Postgres;

namespace Promotion.Host.Cli;

/// <summary>
/// <c>seed-members --count N [--segments a,b,c] [--start-id K]</c>: bulk-loads synthetic members
/// into PostgreSQL (<c>ConnectionStrings:Postgres</c>) with binary COPY, showing progress.
/// </summary>
internal static class SeedMembersVerb
{
    public static Command Create()
    {
        var count = new Option<long>("--count") { Description = "How many members to load", Required = true };
        var segments = new Option<string>("--segments") { Description = "Comma list of segments to draw from (default: " + string.Join(",", SyntheticMembers.DefaultSegments) + ")" };
        var startId = new Option<long>("--start-id") { Description = "First member id (default 1)", DefaultValueFactory = _ => 1 };
        var postgres = new Option<string>("--postgres") { Description = "Connection string (default: ConnectionStrings:Postgres from configuration)" };

        var command = new Command("seed-members", "Bulk-load synthetic members into PostgreSQL with binary COPY") { count, segments, startId, postgres };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Range checks here rather than in option validators: those also run on values that failed to parse.
            var n = parse.GetValue(count);
            var first = parse.GetValue(startId);
            var segmentList = parse.GetValue(segments) is { } s ? ParseSegments(s) : SyntheticMembers.DefaultSegments;
            var error = n is < 1 or > 1_000_000_000 ? "--count must be between 1 and 1,000,000,000"
                : first < 1 ? "--start-id must be at least 1"
                : segmentList.Count == 0 ? "--segments must name at least one segment"
                : null;
            if (error is not null)
            {
                await Console.Error.WriteLineAsync("seed-members: " + error);
                return 2;
            }

            var connectionString = parse.GetValue(postgres) ?? HostCommandLine.LoadConfiguration().GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await Console.Error.WriteLineAsync("seed-members: ConnectionStrings:Postgres is not set (environment ConnectionStrings__Postgres, or --postgres); see infra/up.sh");
                return 2;
            }

            return await RunAsync(connectionString, n, first, segmentList, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string connectionString, long count, long startId, IReadOnlyList<string> segments, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(cancellationToken);
        var directory = new PostgresMemberDirectory(dataSource);
        var lastId = startId + count - 1;
        if (await directory.AnyInRangeAsync(startId, lastId, cancellationToken))
        {
            await Console.Error.WriteLineAsync($"seed-members: members with ids in {startId}..{lastId} already exist; nothing was loaded (choose another --start-id)");
            return 1;
        }

        await directory.RegisterSegmentsAsync(segments, cancellationToken);
        var clock = Stopwatch.StartNew();
        await ConsoleProgress.RunAsync("members", count, "rows", progress =>
            directory.ImportAsync(SyntheticMembers.Range(startId, count, segments), progress, cancellationToken));
        var loadSeconds = clock.Elapsed.TotalSeconds;

        // Fresh statistics and visibility map: the planner's aggregates and keyset reads use index-only scans.
        clock.Restart();
        await using (var vacuum = dataSource.CreateCommand("VACUUM (ANALYZE) members"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        Console.WriteLine(FormattableString.Invariant(
            $"seed-members: loaded {count:N0} members (ids {startId}..{lastId}) in {loadSeconds:0.0} s, {count / loadSeconds:N0} rows/s; vacuum analyze {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    private static List<string> ParseSegments(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
}
