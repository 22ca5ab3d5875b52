using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;

namespace Promotion.Infrastructure.Postgres;

/// <summary>
/// Campaigns, shards and failures on PostgreSQL (tables of migrations V0002 and V0009). Campaign
/// status changes are compare-and-set on the version column; shard changes are guarded updates
/// whose WHERE clause is the state machine's source statuses plus the shard's epoch, so a stale
/// writer makes an update match nothing instead of overwriting.
/// </summary>
public sealed class PostgresCampaignStore(NpgsqlDataSource dataSource) : ICampaignStore, IShardStore
{
    private const string CampaignColumns =
        "SELECT c.id, c.name, c.kind, c.status, c.priority, c.segment, c.title, c.body, c.payload, c.channels, " +
        "c.shard_size, c.max_sends_per_second, c.parent_id, c.root_id, c.audience_size, c.sent, c.failed, c.skipped, " +
        "c.created_at, c.started_at, c.completed_at, c.version, c.shards_total, " +
        "c.after_id, " +
        "s.pending, s.running, s.done, s.failed, s.cancelled, c.trace_parent ";

    // Aggregates without GROUP BY always return one row, so every campaign gets its counts.
    private const string ShardCountsJoin =
        " CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, " +
        "count(*) FILTER (WHERE status = 'running')::int AS running, count(*) FILTER (WHERE status = 'done')::int AS done, " +
        "count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled " +
        "FROM campaign_shards WHERE campaign_id = c.id) s ";

    private static readonly string[] StartSources = Texts(CampaignStateMachine.SourcesOf(ShardTrigger.Start));
    private static readonly string StartTarget = Text(CampaignStateMachine.Next(ShardStatus.Pending, ShardTrigger.Start));
    private static readonly string[] ReleaseSources = Texts(CampaignStateMachine.SourcesOf(ShardTrigger.Release));
    private static readonly string ReleaseTarget = Text(CampaignStateMachine.Next(ShardStatus.Running, ShardTrigger.Release));
    private static readonly string CancelTarget = Text(CampaignStateMachine.Next(ShardStatus.Pending, ShardTrigger.Cancel));

    /// <inheritdoc />
    public async Task<Campaign> CreateAsync(NewCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var id = campaign.Id ?? Guid.CreateVersion7(now);
        await using var cmd = dataSource.CreateCommand(
            "WITH c AS (INSERT INTO campaigns (id, name, kind, status, priority, segment, title, body, payload, channels, " +
            "shard_size, max_sends_per_second, parent_id, root_id, created_at, updated_at, after_id) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16) ON CONFLICT (id) DO NOTHING RETURNING *) " +
            CampaignColumns + "FROM c" + ShardCountsJoin);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(campaign.Name);
        cmd.Parameters.AddWithValue(Text(campaign.Kind));
        cmd.Parameters.AddWithValue(Text(CampaignStatus.Pending));
        cmd.Parameters.AddWithValue(Text(campaign.Priority));
        AddNullable(cmd, campaign.Segment, NpgsqlDbType.Text);
        cmd.Parameters.AddWithValue(campaign.Message.Title);
        cmd.Parameters.AddWithValue(campaign.Message.Body);
        AddNullable(cmd, campaign.Message.Payload, NpgsqlDbType.Text);
        cmd.Parameters.AddWithValue(campaign.Channels.Select(c => c.ToWire()).ToArray());
        cmd.Parameters.AddWithValue(campaign.ShardSize);
        AddNullable(cmd, campaign.MaxSendsPerSecond, NpgsqlDbType.Integer);
        AddNullable(cmd, campaign.ParentId, NpgsqlDbType.Uuid);
        cmd.Parameters.AddWithValue(campaign.RootId ?? id);
        cmd.Parameters.AddWithValue(now.ToUniversalTime());
        AddNullable(cmd, campaign.AfterId, NpgsqlDbType.Uuid);
        try
        {
            // No row back: the id exists (an idempotent re-run); the campaign as stored is the answer.
            return await ReadCampaignAsync(cmd, cancellationToken)
                ?? await GetAsync(id, cancellationToken)
                ?? throw new InvalidOperationException($"campaign {id} neither inserted nor found");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new KeyNotFoundException($"unknown parent campaign {campaign.ParentId?.ToString() ?? campaign.AfterId?.ToString()}", ex);
        }
    }

    /// <inheritdoc />
    public async Task<Campaign?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(CampaignColumns + "FROM campaigns c" + ShardCountsJoin + "WHERE c.id = $1");
        cmd.Parameters.AddWithValue(id);
        return await ReadCampaignAsync(cmd, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CampaignStatus?> GetStatusAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT status FROM campaigns WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is string s ? Parse<CampaignStatus>(s) : null;
    }

    /// <inheritdoc />
    public async Task<CampaignPage> ListAsync(CampaignQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        const string Filter = "($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)";
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        long total;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM campaigns WHERE " + Filter, conn))
        {
            AddFilter(count, query);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        // The page is cut before the shard counts are joined, so only its rows are counted.
        await using var page = new NpgsqlCommand(
            CampaignColumns + "FROM (SELECT * FROM campaigns WHERE " + Filter + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4) c" +
            ShardCountsJoin + "ORDER BY c.created_at DESC, c.id DESC", conn);
        AddFilter(page, query);
        page.Parameters.AddWithValue(query.PageSize);
        page.Parameters.AddWithValue((long)(query.Page - 1) * query.PageSize);
        var items = new List<Campaign>(query.PageSize);
        await using (var reader = await page.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(MapCampaign(reader));
            }
        }

        return new CampaignPage(items, total, query.Page, query.PageSize);

        static void AddFilter(NpgsqlCommand cmd, CampaignQuery q)
        {
            AddNullable(cmd, q.Kind is { } k ? Text(k) : null, NpgsqlDbType.Text);
            AddNullable(cmd, q.Status is { } s ? Text(s) : null, NpgsqlDbType.Text);
        }
    }

    /// <inheritdoc />
    public async Task<Campaign> TransitionAsync(Guid id, CampaignTrigger trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            CampaignStatus status;
            int version;
            await using (var read = dataSource.CreateCommand("SELECT status, version FROM campaigns WHERE id = $1"))
            {
                (status, version) = await ReadStatusAsync(read, id, cancellationToken);
            }

            var next = CampaignStateMachine.Next(status, trigger);
            await using var cmd = dataSource.CreateCommand(
                "WITH c AS (UPDATE campaigns SET status = $4, version = version + 1, updated_at = $5, " +
                "started_at = CASE WHEN $6 THEN $5 ELSE started_at END, completed_at = CASE WHEN $7 THEN $5 ELSE completed_at END " +
                "WHERE id = $1 AND version = $2 AND status = $3 RETURNING *) " +
                CampaignColumns + "FROM c" + ShardCountsJoin);
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(version);
            cmd.Parameters.AddWithValue(Text(status));
            cmd.Parameters.AddWithValue(Text(next));
            cmd.Parameters.AddWithValue(now.ToUniversalTime());
            cmd.Parameters.AddWithValue(trigger == CampaignTrigger.FinishPlanning);
            cmd.Parameters.AddWithValue(CampaignStateMachine.IsTerminal(next));
            if (await ReadCampaignAsync(cmd, cancellationToken) is { } moved)
            {
                return moved;
            }

            // Another writer changed the campaign since it was read: decide again on what it is now.
        }
    }

    /// <inheritdoc />
    public async Task SaveShardsAsync(Guid id, IReadOnlyList<ShardRange> shards, long audienceSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfNegative(audienceSize);
        foreach (var shard in shards.Where(s => s.Lo >= s.Hi))
        {
            throw new ArgumentException($"shard {shard.ShardNo} is empty: [{shard.Lo}, {shard.Hi})", nameof(shards));
        }

        // Only rows actually inserted count towards the total, so a second call changes nothing.
        await using var cmd = dataSource.CreateCommand(
            "WITH ins AS (INSERT INTO campaign_shards (campaign_id, shard_no, lo, hi, cursor) " +
            "SELECT $1, u.n, u.lo, u.hi, u.lo - 1 FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS u(n, lo, hi) " +
            "ON CONFLICT (campaign_id, shard_no) DO NOTHING RETURNING 1) " +
            "UPDATE campaigns SET audience_size = $5, shards_total = shards_total + (SELECT count(*) FROM ins) WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(shards.Select(s => s.ShardNo).ToArray());
        cmd.Parameters.AddWithValue(shards.Select(s => s.Lo).ToArray());
        cmd.Parameters.AddWithValue(shards.Select(s => s.Hi).ToArray());
        cmd.Parameters.AddWithValue(audienceSize);
        int updated;
        try
        {
            updated = await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new KeyNotFoundException($"unknown campaign {id}", ex);
        }

        if (updated == 0)
        {
            throw new KeyNotFoundException($"unknown campaign {id}");
        }
    }

    /// <inheritdoc />
    public async Task SetTraceParentAsync(Guid id, string traceParent, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(traceParent);
        await using var cmd = dataSource.CreateCommand("UPDATE campaigns SET trace_parent = $2 WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(traceParent);
        if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new KeyNotFoundException($"unknown campaign {id}");
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SendFailure> ReadFailuresAsync(Guid id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Streamed from the primary key index: a report of millions of rows never sits in memory.
        await using var cmd = dataSource.CreateCommand(
            "SELECT member_id, channel, reason, at FROM send_failures WHERE campaign_id = $1 ORDER BY member_id, channel");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new SendFailure(reader.GetInt64(0), ParseChannel(reader.GetString(1)), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReasonCount>> ReadReasonsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT outcome, reason, count FROM campaign_reasons WHERE campaign_id = $1 ORDER BY count DESC, outcome, reason COLLATE \"C\"");
        cmd.Parameters.AddWithValue(id);
        return await ReadAllAsync(cmd, reader => new ReasonCount(Parse<DeliveryOutcome>(reader.GetString(0)), reader.GetString(1), reader.GetInt64(2)), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<AudiencePlan> PlanFailedMembersAsync(Guid failedCampaignId, int shardSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, ShardPlanner.MinShardSize);
        // Every shardSize-th distinct failed member, with the count and the largest id, in one pass.
        await using var cmd = dataSource.CreateCommand(
            "SELECT member_id, total, max_id FROM (" +
            "SELECT member_id, row_number() OVER (ORDER BY member_id) AS rn, count(*) OVER () AS total, max(member_id) OVER () AS max_id " +
            "FROM (SELECT DISTINCT member_id FROM send_failures WHERE campaign_id = $1) d) t " +
            "WHERE (rn - 1) % $2 = 0 ORDER BY member_id");
        cmd.Parameters.AddWithValue(failedCampaignId);
        cmd.Parameters.AddWithValue((long)shardSize);
        cmd.CommandTimeout = 600;
        var boundaries = new List<long>();
        long total = 0, maxId = 0;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            boundaries.Add(reader.GetInt64(0));
            total = reader.GetInt64(1);
            maxId = reader.GetInt64(2);
        }

        return total == 0 ? AudiencePlan.Empty : new AudiencePlan(total, boundaries, maxId);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(long MemberId, IReadOnlyList<Channel> Channels)>> ReadFailedPageAsync(
        Guid failedCampaignId, long afterId, long beforeId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var cmd = dataSource.CreateCommand(
            "SELECT member_id, array_agg(channel ORDER BY channel) FROM send_failures " +
            "WHERE campaign_id = $1 AND member_id > $2 AND member_id < $3 GROUP BY member_id ORDER BY member_id LIMIT $4");
        cmd.Parameters.AddWithValue(failedCampaignId);
        cmd.Parameters.AddWithValue(afterId);
        cmd.Parameters.AddWithValue(beforeId);
        cmd.Parameters.AddWithValue(limit);
        var page = new List<(long, IReadOnlyList<Channel>)>(Math.Min(limit, 10_000));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add((reader.GetInt64(0), [.. reader.GetFieldValue<string[]>(1).Select(ParseChannel)]));
        }

        return page;
    }

    /// <inheritdoc />
    public async Task<ShardWork?> StartAsync(ShardRef shard, string silo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        // The row lock orders two starts of one shard: the second bumps the epoch again and wins.
        await using var cmd = dataSource.CreateCommand(
            "UPDATE campaign_shards SET status = $4, owner = $3, epoch = epoch + 1, attempts = attempts + 1 " +
            "WHERE campaign_id = $1 AND shard_no = $2 AND status = ANY($5) " +
            "RETURNING lo, hi, cursor, attempts, epoch");
        cmd.Parameters.AddWithValue(shard.CampaignId);
        cmd.Parameters.AddWithValue(shard.ShardNo);
        cmd.Parameters.AddWithValue(silo);
        cmd.Parameters.AddWithValue(StartTarget);
        cmd.Parameters.AddWithValue(StartSources);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ShardWork(shard.CampaignId, shard.ShardNo, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt64(4))
            : null;
    }

    /// <inheritdoc />
    public async Task<bool> CheckpointAsync(ShardCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        // One statement is one transaction: the later parts join on the fenced shard update, so a
        // stale epoch or a cursor that would move back writes nothing at all. The page's failures
        // and reasons are folded first because ON CONFLICT may touch a row only once per statement.
        var failures = checkpoint.Failures
            .GroupBy(f => (f.MemberId, f.Channel))
            .Select(g => g.Last())
            .ToList();
        var reasons = checkpoint.Reasons
            .GroupBy(r => (r.Outcome, r.Reason))
            .Select(g => (Outcome: Text(g.Key.Outcome), g.Key.Reason, Count: g.Sum(r => r.Count)))
            .ToList();
        await using var cmd = dataSource.CreateCommand(
            "WITH s AS (UPDATE campaign_shards SET cursor = $3, sent = sent + $4, failed = failed + $5, skipped = skipped + $6 " +
            "WHERE campaign_id = $1 AND shard_no = $2 AND epoch = $7 AND status = 'running' AND cursor < $3 RETURNING campaign_id), " +
            "f AS (INSERT INTO send_failures (campaign_id, member_id, channel, reason, at) " +
            "SELECT s.campaign_id, u.m, u.ch, u.r, u.t FROM s CROSS JOIN unnest($8::bigint[], $9::text[], $10::text[], $11::timestamptz[]) AS u(m, ch, r, t) " +
            "ON CONFLICT (campaign_id, member_id, channel) DO UPDATE SET reason = excluded.reason, at = excluded.at), " +
            "r AS (INSERT INTO campaign_reasons (campaign_id, outcome, reason, count) " +
            "SELECT s.campaign_id, u.o, u.r, u.n FROM s CROSS JOIN unnest($12::text[], $13::text[], $14::bigint[]) AS u(o, r, n) " +
            "ON CONFLICT (campaign_id, outcome, reason) DO UPDATE SET count = campaign_reasons.count + excluded.count) " +
            "SELECT count(*) FROM s");
        cmd.Parameters.AddWithValue(checkpoint.Shard.CampaignId);
        cmd.Parameters.AddWithValue(checkpoint.Shard.ShardNo);
        cmd.Parameters.AddWithValue(checkpoint.Cursor);
        cmd.Parameters.AddWithValue((long)checkpoint.Sent);
        cmd.Parameters.AddWithValue((long)checkpoint.Failed);
        cmd.Parameters.AddWithValue((long)checkpoint.Skipped);
        cmd.Parameters.AddWithValue(checkpoint.Epoch);
        cmd.Parameters.AddWithValue(failures.Select(f => f.MemberId).ToArray());
        cmd.Parameters.AddWithValue(failures.Select(f => f.Channel.ToWire()).ToArray());
        cmd.Parameters.AddWithValue(failures.Select(f => f.Reason).ToArray());
        cmd.Parameters.AddWithValue(failures.Select(f => f.At.ToUniversalTime()).ToArray());
        cmd.Parameters.AddWithValue(reasons.Select(r => r.Outcome).ToArray());
        cmd.Parameters.AddWithValue(reasons.Select(r => r.Reason).ToArray());
        cmd.Parameters.AddWithValue(reasons.Select(r => r.Count).ToArray());
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))! == 1;
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(ShardRef shard, long epoch, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE campaign_shards SET status = $4, owner = NULL " +
            "WHERE campaign_id = $1 AND shard_no = $2 AND epoch = $3 AND status = ANY($5)");
        cmd.Parameters.AddWithValue(shard.CampaignId);
        cmd.Parameters.AddWithValue(shard.ShardNo);
        cmd.Parameters.AddWithValue(epoch);
        cmd.Parameters.AddWithValue(ReleaseTarget);
        cmd.Parameters.AddWithValue(ReleaseSources);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> EndAsync(ShardRef shard, long epoch, ShardTrigger trigger, CancellationToken cancellationToken)
    {
        if (trigger is not (ShardTrigger.Finish or ShardTrigger.Fail or ShardTrigger.Cancel))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "a shard ends with Finish, Fail or Cancel");
        }

        // A started shard is Running, so the epoch check implies the source status.
        await using var cmd = dataSource.CreateCommand(
            "UPDATE campaign_shards SET status = $4 WHERE campaign_id = $1 AND shard_no = $2 AND epoch = $3 AND status = 'running'");
        cmd.Parameters.AddWithValue(shard.CampaignId);
        cmd.Parameters.AddWithValue(shard.ShardNo);
        cmd.Parameters.AddWithValue(epoch);
        cmd.Parameters.AddWithValue(Text(CampaignStateMachine.Next(ShardStatus.Running, trigger)));
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<int>> TakeUnstartedAsync(Guid campaignId, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var cmd = dataSource.CreateCommand(
            "WITH t AS (UPDATE campaign_shards s SET started_at = $3 FROM (" +
            "SELECT shard_no FROM campaign_shards WHERE campaign_id = $1 AND status = 'pending' AND started_at IS NULL " +
            "ORDER BY shard_no LIMIT $2 FOR UPDATE SKIP LOCKED) p " +
            "WHERE s.campaign_id = $1 AND s.shard_no = p.shard_no RETURNING s.shard_no) " +
            "SELECT shard_no FROM t ORDER BY shard_no");
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(limit);
        cmd.Parameters.AddWithValue(now.ToUniversalTime());
        return await ReadAllAsync(cmd, reader => reader.GetInt32(0), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<int>> ListStartedAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT shard_no FROM campaign_shards WHERE campaign_id = $1 AND status IN ('pending', 'running') AND started_at IS NOT NULL ORDER BY shard_no");
        cmd.Parameters.AddWithValue(campaignId);
        return await ReadAllAsync(cmd, reader => reader.GetInt32(0), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> CancelPendingAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE campaign_shards SET status = $2, owner = NULL WHERE campaign_id = $1 AND status = 'pending'");
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(CancelTarget);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CampaignStatus> AggregateAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        CampaignStatus status;
        int version;
        await using (var lockCmd = new NpgsqlCommand("SELECT status, version FROM campaigns WHERE id = $1 FOR NO KEY UPDATE", conn, tx))
        {
            (status, version) = await ReadStatusAsync(lockCmd, campaignId, cancellationToken);
        }

        long open, failedShards;
        await using (var sums = new NpgsqlCommand(
            "WITH t AS (SELECT coalesce(sum(sent), 0) AS sent, coalesce(sum(failed), 0) AS failed, coalesce(sum(skipped), 0) AS skipped, " +
            "count(*) FILTER (WHERE status IN ('pending', 'running')) AS open, count(*) FILTER (WHERE status = 'failed') AS failed_shards " +
            "FROM campaign_shards WHERE campaign_id = $1) " +
            "UPDATE campaigns c SET sent = t.sent, failed = t.failed, skipped = t.skipped FROM t WHERE c.id = $1 RETURNING t.open, t.failed_shards", conn, tx))
        {
            sums.Parameters.AddWithValue(campaignId);
            await using var reader = await sums.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            open = reader.GetInt64(0);
            failedShards = reader.GetInt64(1);
        }

        if (status == CampaignStatus.Running && open == 0)
        {
            var next = CampaignStateMachine.Next(status, failedShards > 0 ? CampaignTrigger.Fail : CampaignTrigger.Complete);
            await using var complete = new NpgsqlCommand(
                "UPDATE campaigns SET status = $3, audience_size = sent + failed + skipped, completed_at = $4, updated_at = $4, version = version + 1 " +
                "WHERE id = $1 AND version = $2", conn, tx);
            complete.Parameters.AddWithValue(campaignId);
            complete.Parameters.AddWithValue(version);
            complete.Parameters.AddWithValue(Text(next));
            complete.Parameters.AddWithValue(now.ToUniversalTime());
            if (await complete.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                status = next;
            }
        }

        await tx.CommitAsync(cancellationToken);
        return status;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> ListWaitingFollowUpsAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT id FROM campaigns WHERE after_id = $1 AND status = 'pending' ORDER BY created_at, id");
        cmd.Parameters.AddWithValue(campaignId);
        return await ReadAllAsync(cmd, reader => reader.GetGuid(0), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ShardInfo>> ListAsync(Guid campaignId, int fromShardNo, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var cmd = dataSource.CreateCommand(
            "SELECT shard_no, status, lo, hi, cursor, sent, failed, skipped, owner, attempts FROM campaign_shards " +
            "WHERE campaign_id = $1 AND shard_no >= $2 ORDER BY shard_no LIMIT $3");
        cmd.Parameters.AddWithValue(campaignId);
        cmd.Parameters.AddWithValue(fromShardNo);
        cmd.Parameters.AddWithValue(limit);
        return await ReadAllAsync(cmd, reader => new ShardInfo(
            reader.GetInt32(0), Parse<ShardStatus>(reader.GetString(1)), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetInt32(9)), cancellationToken);
    }

    private static async Task<Campaign?> ReadCampaignAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? MapCampaign(reader) : null;
    }

    private static Campaign MapCampaign(NpgsqlDataReader r) => new Campaign(
        Id: r.GetGuid(0),
        Name: r.GetString(1),
        Kind: Parse<CampaignKind>(r.GetString(2)),
        Status: Parse<CampaignStatus>(r.GetString(3)),
        Priority: Parse<JobPriority>(r.GetString(4)),
        Segment: r.IsDBNull(5) ? null : r.GetString(5),
        Message: new CampaignMessage(r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)),
        Channels: [.. r.GetFieldValue<string[]>(9).Select(ParseChannel)],
        ShardSize: r.GetInt32(10),
        MaxSendsPerSecond: r.IsDBNull(11) ? null : r.GetInt32(11),
        ParentId: r.IsDBNull(12) ? null : r.GetGuid(12),
        RootId: r.GetGuid(13),
        AudienceSize: r.GetInt64(14),
        Sent: r.GetInt64(15),
        Failed: r.GetInt64(16),
        Skipped: r.GetInt64(17),
        Shards: new ShardCounts(r.GetInt32(22), r.GetInt32(24), r.GetInt32(25), r.GetInt32(26), r.GetInt32(27), r.GetInt32(28)),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(18),
        StartedAt: r.IsDBNull(19) ? null : r.GetFieldValue<DateTimeOffset>(19),
        CompletedAt: r.IsDBNull(20) ? null : r.GetFieldValue<DateTimeOffset>(20),
        Version: r.GetInt32(21))
    {
        AfterId = r.IsDBNull(23) ? null : r.GetGuid(23),
        TraceParent = r.IsDBNull(29) ? null : r.GetString(29),
    };

    private static void AddNullable<T>(NpgsqlCommand cmd, T? value, NpgsqlDbType type) =>
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = type });

    private static string Text<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string[] Texts<T>(IEnumerable<T> values)
        where T : struct, Enum => [.. values.Select(Text)];

    private static T Parse<T>(string text)
        where T : struct, Enum => Enum.Parse<T>(text, ignoreCase: true);

    private static Channel ParseChannel(string wire) =>
        ChannelNames.TryParse(wire, out var channel) ? channel.Value : throw new InvalidOperationException($"unknown channel '{wire}' in the database");

    // Runs cmd, a "SELECT status, version ... WHERE id = $1" still without its parameter, for id.
    private static async Task<(CampaignStatus Status, int Version)> ReadStatusAsync(NpgsqlCommand cmd, Guid id, CancellationToken cancellationToken)
    {
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new KeyNotFoundException($"unknown campaign {id}");
        }

        return (Parse<CampaignStatus>(reader.GetString(0)), reader.GetInt32(1));
    }

    // Reads every row of cmd through map; the store's list queries all end this way.
    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand cmd, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
