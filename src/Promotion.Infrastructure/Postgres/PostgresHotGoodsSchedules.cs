using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.Postgres;

/// <summary>
/// Hot-goods schedules and firings on the PostgreSQL <c>hot_goods_schedules</c> and
/// <c>hot_goods_firings</c> tables. The firing claim is an insert on the (schedule, scheduled time)
/// primary key, so two hosts running the same firing cannot both win it.
/// </summary>
public sealed class PostgresHotGoodsSchedules(NpgsqlDataSource dataSource) : IHotGoodsSchedules
{
    private const string Columns = "id, segment, cron, time_zone, top_k, channels, status, created_at, updated_at, follow_up";
    private const string FiringColumns = "schedule_id, scheduled_at, node_id, claimed_at, outcome, campaign_id, detail, completed_at, follow_up_id";

    // The follow-up is stored as the operator's campaign draft, in the API's camelCase.
    private static readonly JsonSerializerOptions DraftJson = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public async Task CreateAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        await using var cmd = dataSource.CreateCommand($"INSERT INTO hot_goods_schedules ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
        cmd.Parameters.AddWithValue(schedule.Id);
        cmd.Parameters.AddWithValue(schedule.Segment);
        cmd.Parameters.AddWithValue(schedule.Cron);
        cmd.Parameters.AddWithValue(schedule.TimeZone);
        cmd.Parameters.AddWithValue(schedule.TopK);
        cmd.Parameters.AddWithValue(schedule.Channels.Select(c => c.ToWire()).ToArray());
        cmd.Parameters.AddWithValue(ToDb(schedule.Status));
        cmd.Parameters.AddWithValue(schedule.CreatedAt);
        cmd.Parameters.AddWithValue(schedule.UpdatedAt);
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = schedule.FollowUp is null ? DBNull.Value : JsonSerializer.Serialize(schedule.FollowUp, DraftJson),
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<HotGoodsSchedule?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM hot_goods_schedules WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return (await ReadSchedulesAsync(cmd, cancellationToken)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HotGoodsSchedule>> ListAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM hot_goods_schedules ORDER BY created_at, id");
        return await ReadSchedulesAsync(cmd, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<HotGoodsSchedule?> SetStatusAsync(Guid id, HotGoodsScheduleStatus from, HotGoodsScheduleStatus to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"UPDATE hot_goods_schedules SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 RETURNING {Columns}");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(ToDb(from));
        cmd.Parameters.AddWithValue(ToDb(to));
        cmd.Parameters.AddWithValue(now);
        return (await ReadSchedulesAsync(cmd, cancellationToken)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM hot_goods_schedules WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<HotGoodsFiringRecord?> TryClaimFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var claim = dataSource.CreateCommand(
            "INSERT INTO hot_goods_firings (schedule_id, scheduled_at, node_id, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"))
        {
            claim.Parameters.AddWithValue(scheduleId);
            claim.Parameters.AddWithValue(scheduledAt);
            claim.Parameters.AddWithValue(nodeId);
            claim.Parameters.AddWithValue(now);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return null;
            }
        }

        await using var read = dataSource.CreateCommand($"SELECT {FiringColumns} FROM hot_goods_firings WHERE schedule_id = $1 AND scheduled_at = $2");
        read.Parameters.AddWithValue(scheduleId);
        read.Parameters.AddWithValue(scheduledAt);
        // Gone between the insert and the read (released by a failed run): report it as held, the caller does not run.
        return (await ReadFiringsAsync(read, cancellationToken)).SingleOrDefault()
            ?? new HotGoodsFiringRecord(scheduleId, scheduledAt, nodeId, now, null, null, null, null);
    }

    /// <inheritdoc />
    public async Task<bool> TakeOverFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string fromNode, string toNode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE hot_goods_firings SET node_id = $4, claimed_at = $5 WHERE schedule_id = $1 AND scheduled_at = $2 AND node_id = $3 AND outcome IS NULL");
        cmd.Parameters.AddWithValue(scheduleId);
        cmd.Parameters.AddWithValue(scheduledAt);
        cmd.Parameters.AddWithValue(fromNode);
        cmd.Parameters.AddWithValue(toNode);
        cmd.Parameters.AddWithValue(now);
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task CompleteFiringAsync(
        Guid scheduleId, DateTimeOffset scheduledAt, HotGoodsFiringOutcome outcome, Guid? campaignId, Guid? followUpId, string? detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE hot_goods_firings SET outcome = $3, campaign_id = $4, detail = $5, completed_at = $6, follow_up_id = $7 WHERE schedule_id = $1 AND scheduled_at = $2");
        cmd.Parameters.AddWithValue(scheduleId);
        cmd.Parameters.AddWithValue(scheduledAt);
        cmd.Parameters.AddWithValue(ToDb(outcome));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)campaignId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)detail ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(now);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)followUpId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task ReleaseFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "DELETE FROM hot_goods_firings WHERE schedule_id = $1 AND scheduled_at = $2 AND node_id = $3 AND outcome IS NULL");
        cmd.Parameters.AddWithValue(scheduleId);
        cmd.Parameters.AddWithValue(scheduledAt);
        cmd.Parameters.AddWithValue(nodeId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HotGoodsFiringRecord>> ListFiringsAsync(Guid scheduleId, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {FiringColumns} FROM hot_goods_firings WHERE schedule_id = $1 ORDER BY scheduled_at DESC LIMIT $2");
        cmd.Parameters.AddWithValue(scheduleId);
        cmd.Parameters.AddWithValue(limit);
        return await ReadFiringsAsync(cmd, cancellationToken);
    }

    private static async Task<IReadOnlyList<HotGoodsSchedule>> ReadSchedulesAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<HotGoodsSchedule>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new HotGoodsSchedule(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt32(4),
                [.. reader.GetFieldValue<string[]>(5).Select(c => ChannelNames.TryParse(c, out var ch) ? ch.Value : throw new InvalidOperationException($"unknown channel '{c}' stored"))],
                reader.GetString(6) == "paused" ? HotGoodsScheduleStatus.Paused : HotGoodsScheduleStatus.Active,
                reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<CampaignDraft>(reader.GetString(9), DraftJson)));
        }

        return list;
    }

    private static async Task<IReadOnlyList<HotGoodsFiringRecord>> ReadFiringsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<HotGoodsFiringRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new HotGoodsFiringRecord(
                reader.GetGuid(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : FromDb(reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetGuid(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetGuid(8)));
        }

        return list;
    }

    private static string ToDb(HotGoodsScheduleStatus status) => status == HotGoodsScheduleStatus.Paused ? "paused" : "active";

    private static string ToDb(HotGoodsFiringOutcome outcome) => outcome.ToString().ToLowerInvariant();

    private static HotGoodsFiringOutcome FromDb(string outcome) => Enum.Parse<HotGoodsFiringOutcome>(outcome, ignoreCase: true);
}
