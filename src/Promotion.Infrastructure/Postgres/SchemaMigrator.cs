using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Promotion.Infrastructure.Postgres;

/// <summary>
/// Applies the versioned SQL scripts under <c>Postgres/Migrations</c> (named <c>V0001__what.sql</c>)
/// in order, each in its own transaction, recording them in <c>schema_migrations</c>. A session
/// advisory lock makes it safe for several hosts to start at once: one migrates, the others
/// wait and then find nothing left to do.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    private const long AdvisoryLockKey = 0x5052_4F4D_4F54_494F; // "PROMOTIO"

    /// <summary>The scripts shipped in this assembly, in version order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies every script not yet applied; returns how many were applied.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn))
        {
            lockCmd.Parameters.AddWithValue(AdvisoryLockKey);
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", conn))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", conn))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var count = 0;
            foreach (var (version, name, sql) in Scripts.Where(s => !applied.Contains(s.Version)))
            {
                await using var tx = await conn.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(sql, conn, tx))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", conn, tx))
                {
                    record.Parameters.AddWithValue(version);
                    record.Parameters.AddWithValue(name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
                LogApplied(logger, version, name);
                count++;
            }

            return count;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn);
            unlock.Parameters.AddWithValue(AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        const string prefix = "Promotion.Infrastructure.Postgres.Migrations.";
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(1, name.IndexOf("__", StringComparison.Ordinal) - 1), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, name, reader.ReadToEnd()));
        }

        scripts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return scripts;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, int version, string name);
}
