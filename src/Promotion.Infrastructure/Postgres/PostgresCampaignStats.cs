using Npgsql;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;

namespace Promotion.Infrastructure.Postgres;

/// <summary>
/// The dashboard's aggregate reads on PostgreSQL (tables of migration V0002): grouped counts over
/// the campaigns table and over the shards of open campaigns only (their primary-key range), so
/// the cost follows the open work, not the history.
/// </summary>
public sealed class PostgresCampaignStats(NpgsqlDataSource dataSource) : ICampaignStatsReader
{
    private const string OpenStatuses = "('pending', 'planning', 'running', 'paused')";

    /// <inheritdoc />
    public async Task<CampaignTotals> ReadTotalsAsync(CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT status, count(*), coalesce(sum(audience_size), 0)::bigint, coalesce(sum(sent + failed + skipped), 0)::bigint FROM campaigns GROUP BY status"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT s.status, count(*)::int FROM campaign_shards s WHERE s.campaign_id IN (SELECT id FROM campaigns WHERE status IN " + OpenStatuses + ") GROUP BY s.status"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var byStatus = new Dictionary<CampaignStatus, long>();
        long audience = 0, processed = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var status = Parse<CampaignStatus>(reader.GetString(0));
            byStatus[status] = reader.GetInt64(1);
            if (!CampaignStateMachine.IsTerminal(status))
            {
                audience += reader.GetInt64(2);
                processed += reader.GetInt64(3);
            }
        }

        await reader.NextResultAsync(cancellationToken);
        var shards = new ShardCounts(0, 0, 0, 0, 0, 0);
        while (await reader.ReadAsync(cancellationToken))
        {
            var n = reader.GetInt32(1);
            shards = Parse<ShardStatus>(reader.GetString(0)) switch
            {
                ShardStatus.Pending => shards with { Pending = n },
                ShardStatus.Running => shards with { Running = n },
                ShardStatus.Done => shards with { Done = n },
                ShardStatus.Failed => shards with { Failed = n },
                _ => shards with { Cancelled = n },
            };
        }

        shards = shards with { Total = shards.Pending + shards.Running + shards.Done + shards.Failed + shards.Cancelled };
        return new CampaignTotals(byStatus, shards, audience, processed);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CampaignProgress>> ReadRecentProgressAsync(DateTimeOffset endedSince, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // Running and paused first, so a backlog of pending campaigns never pushes them out of the limit.
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, status, audience_size, sent + failed + skipped FROM campaigns " +
            "WHERE status IN " + OpenStatuses + " OR completed_at >= $1 " +
            "ORDER BY status IN ('running', 'paused') DESC, created_at DESC, id DESC LIMIT $2");
        cmd.Parameters.AddWithValue(endedSince.ToUniversalTime());
        cmd.Parameters.AddWithValue(limit);
        var progress = new List<CampaignProgress>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            progress.Add(new CampaignProgress(reader.GetGuid(0), Parse<CampaignStatus>(reader.GetString(1)), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return progress;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ShardBucket>?> SummarizeShardsAsync(Guid campaignId, int buckets, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        // Shard numbers are 0..n-1; bucket b holds the shards with shard_no * buckets / n = b.
        await using var batch = dataSource.CreateBatch();
        var exists = new NpgsqlBatchCommand("SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = $1)");
        exists.Parameters.AddWithValue(campaignId);
        var grouped = new NpgsqlBatchCommand(
            "WITH n AS (SELECT coalesce(max(shard_no), -1)::bigint + 1 AS n FROM campaign_shards WHERE campaign_id = $1) " +
            "SELECT min(s.shard_no), max(s.shard_no), " +
            "count(*) FILTER (WHERE s.status = 'pending')::int, count(*) FILTER (WHERE s.status = 'running')::int, " +
            "count(*) FILTER (WHERE s.status = 'done')::int, count(*) FILTER (WHERE s.status = 'failed')::int, " +
            "count(*) FILTER (WHERE s.status = 'cancelled')::int " +
            "FROM campaign_shards s CROSS JOIN n WHERE s.campaign_id = $1 GROUP BY s.shard_no::bigint * $2 / n.n ORDER BY 1");
        grouped.Parameters.AddWithValue(campaignId);
        grouped.Parameters.AddWithValue((long)buckets);
        batch.BatchCommands.Add(exists);
        batch.BatchCommands.Add(grouped);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var found = reader.GetBoolean(0);
        await reader.NextResultAsync(cancellationToken);
        var result = new List<ShardBucket>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new ShardBucket(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)));
        }

        return found ? result : null;
    }

    private static T Parse<T>(string text)
        where T : struct, Enum => Enum.Parse<T>(text, ignoreCase: true);
}
