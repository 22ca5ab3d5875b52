using Npgsql;
using NpgsqlTypes;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.Postgres;

/// <summary>
/// The goods catalog on the PostgreSQL <c>products</c>, <c>product_daily_stats</c> and
/// <c>segment_categories</c> tables; bulk loads use binary COPY, the window aggregate runs inside
/// the server so only one row per candidate product leaves it.
/// </summary>
public sealed class PostgresGoodsCatalog(NpgsqlDataSource dataSource) : IGoodsCatalog
{
    // One COPY per batch bounds each transaction and lets progress be reported while loading.
    private const int CopyBatch = 100_000;

    /// <inheritdoc />
    public Task<long> ImportProductsAsync(IEnumerable<Product> products, IProgress<long>? progress, CancellationToken cancellationToken) =>
        CopyAsync(products, "COPY products (id, category, title, price) FROM STDIN (FORMAT BINARY)", async (w, p, ct) =>
        {
            await w.WriteAsync(p.Id, NpgsqlDbType.Bigint, ct);
            await w.WriteAsync(p.Category, NpgsqlDbType.Text, ct);
            await w.WriteAsync(p.Title, NpgsqlDbType.Text, ct);
            await w.WriteAsync(p.Price, NpgsqlDbType.Numeric, ct);
        }, progress, cancellationToken);

    /// <inheritdoc />
    public Task<long> ImportDailyStatsAsync(IEnumerable<ProductDayStats> stats, IProgress<long>? progress, CancellationToken cancellationToken) =>
        CopyAsync(stats, "COPY product_daily_stats (product_id, day, views, purchases, rating_count, rating_sum) FROM STDIN (FORMAT BINARY)", async (w, s, ct) =>
        {
            await w.WriteAsync(s.ProductId, NpgsqlDbType.Bigint, ct);
            await w.WriteAsync(s.Day, NpgsqlDbType.Date, ct);
            await w.WriteAsync(s.Views, NpgsqlDbType.Bigint, ct);
            await w.WriteAsync(s.Purchases, NpgsqlDbType.Bigint, ct);
            await w.WriteAsync(s.RatingCount, NpgsqlDbType.Integer, ct);
            await w.WriteAsync(s.RatingSum, NpgsqlDbType.Integer, ct);
        }, progress, cancellationToken);

    /// <summary>True when any product id lies in [<paramref name="fromId"/>, <paramref name="toId"/>].</summary>
    public async Task<bool> AnyProductInRangeAsync(long fromId, long toId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM products WHERE id BETWEEN $1 AND $2)");
        cmd.Parameters.AddWithValue(fromId);
        cmd.Parameters.AddWithValue(toId);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> UnknownCategoriesAsync(IReadOnlyCollection<string> categories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(categories);
        // One index probe per name on products_category.
        await using var cmd = dataSource.CreateCommand(
            "SELECT t.c FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n) WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.category = t.c) ORDER BY t.n");
        cmd.Parameters.AddWithValue(categories.ToArray());
        return await ReadStringsAsync(cmd, cancellationToken);
    }

    /// <inheritdoc />
    public async Task SetSegmentCategoriesAsync(string segment, IReadOnlyCollection<string> categories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(categories);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand("DELETE FROM segment_categories WHERE segment = $1", conn, tx))
        {
            delete.Parameters.AddWithValue(segment);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var insert = new NpgsqlCommand("INSERT INTO segment_categories (segment, category) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING", conn, tx))
        {
            insert.Parameters.AddWithValue(segment);
            insert.Parameters.AddWithValue(categories.ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> GetSegmentCategoriesAsync(string segment, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT category FROM segment_categories WHERE segment = $1 ORDER BY category");
        cmd.Parameters.AddWithValue(segment);
        return await ReadStringsAsync(cmd, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProductActivity>> ReadActivityAsync(IReadOnlyCollection<string> categories, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(categories);
        await using var cmd = dataSource.CreateCommand(
            "SELECT p.id, p.category, p.title, p.price, sum(s.views)::bigint, sum(s.purchases)::bigint, sum(s.rating_count)::bigint, sum(s.rating_sum)::bigint " +
            "FROM products p JOIN product_daily_stats s ON s.product_id = p.id " +
            "WHERE p.category = ANY($1) AND s.day >= $2 AND s.day < $3 GROUP BY p.id");
        cmd.Parameters.AddWithValue(categories.ToArray());
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(to);
        cmd.CommandTimeout = 300;
        var rows = new List<ProductActivity>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ProductActivity(
                new Product(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetDecimal(3)),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return rows;
    }

    private async Task<long> CopyAsync<T>(IEnumerable<T> rows, string copy, Func<NpgsqlBinaryImporter, T, CancellationToken, Task> write, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var total = 0L;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        using var e = rows.GetEnumerator();
        var more = e.MoveNext();
        while (more)
        {
            await using var writer = await conn.BeginBinaryImportAsync(copy, cancellationToken);
            var inBatch = 0;
            while (more && inBatch < CopyBatch)
            {
                await writer.StartRowAsync(cancellationToken);
                await write(writer, e.Current, cancellationToken);
                inBatch++;
                more = e.MoveNext();
            }

            await writer.CompleteAsync(cancellationToken);
            total += inBatch;
            progress?.Report(total);
        }

        return total;
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }
}
