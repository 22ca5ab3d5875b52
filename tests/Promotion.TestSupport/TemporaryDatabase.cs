using Npgsql;

namespace Promotion.TestSupport;

/// <summary>A PostgreSQL database created for one test class and dropped afterwards.</summary>
public sealed class TemporaryDatabase : IAsyncLifetime
{
    private readonly NpgsqlConnectionStringBuilder _admin = new(TestServers.Postgres);

    public string Name { get; } = "promotion_t_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = Name, Pooling = true }.ConnectionString;

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async Task InitializeAsync()
    {
        await using var conn = new NpgsqlConnection(_admin.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Eventually.TrueAsync(TryDropAsync, TimeSpan.FromSeconds(60), $"database {Name} to be dropped");
    }

    // FORCE terminates the other sessions, but an autovacuum worker visiting the database belongs
    // to no role and cannot be terminated by ours (42501); it leaves within moments, so try again.
    private async Task<bool> TryDropAsync()
    {
        try
        {
            await using var conn = new NpgsqlConnection(_admin.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
        {
            return false;
        }
    }
}
