using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Postgres;

/// <summary>
/// Coupon campaigns and coupons on PostgreSQL (tables of migration V0003). Issued coupons are
/// written in one transaction per batch that first locks the batch's campaign rows (in id order,
/// so writers never deadlock): while it holds them no other writer adds coupons to those
/// campaigns, so the stock check and the campaign's issued counter are exact, and the unique
/// key (coupon campaign, member) keeps each member to one coupon whatever the ledger decided.
/// </summary>
public sealed class PostgresCouponStore(NpgsqlDataSource dataSource) : ICouponStore
{
    private const string CampaignColumns =
        "id, name, segment, valid_from, valid_to, stock, title, amount, percent, min_spend, issued, created_at, stopped_at";

    private const string CouponColumns =
        "c.id, c.coupon_campaign_id, c.member_id, c.status, c.issued_at, c.claimed_at, c.redeemed_at, c.order_id, k.title, k.valid_to";

    private const int MaxMemberCoupons = 1_000;

    // Per campaign, the batch's coupons not yet in the table are numbered in input order; those
    // within the stock left are inserted, the rest refused. The final select reports every new one.
    private const string WriteSql =
        "WITH input AS (" +
        "  SELECT DISTINCT ON (u.cid, u.mid) u.cid, u.mid, u.coupon_id, u.issued_at, u.ord " +
        "  FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::timestamptz[]) WITH ORDINALITY AS u(cid, mid, coupon_id, issued_at, ord) " +
        "  ORDER BY u.cid, u.mid, u.ord), " +
        "fresh AS (" +
        "  SELECT i.*, row_number() OVER (PARTITION BY i.cid ORDER BY i.ord) AS rn FROM input i " +
        "  WHERE NOT EXISTS (SELECT 1 FROM coupons c WHERE c.coupon_campaign_id = i.cid AND c.member_id = i.mid)), " +
        "allowed AS (" +
        "  SELECT f.* FROM fresh f JOIN coupon_campaigns k ON k.id = f.cid WHERE k.stock IS NULL OR f.rn <= k.stock - k.issued), " +
        "ins AS (" +
        "  INSERT INTO coupons (id, coupon_campaign_id, member_id, status, issued_at) " +
        "  SELECT coupon_id, cid, mid, 'issued', issued_at FROM allowed ORDER BY cid, mid " +
        "  ON CONFLICT DO NOTHING RETURNING coupon_campaign_id, member_id), " +
        "counted AS (" +
        "  UPDATE coupon_campaigns k SET issued = k.issued + n.cnt " +
        "  FROM (SELECT coupon_campaign_id, count(*) AS cnt FROM ins GROUP BY coupon_campaign_id) n WHERE k.id = n.coupon_campaign_id RETURNING k.id) " +
        "SELECT f.cid, f.mid, EXISTS (SELECT 1 FROM ins WHERE ins.coupon_campaign_id = f.cid AND ins.member_id = f.mid) FROM fresh f";

    /// <inheritdoc />
    public async Task<CouponCampaign> CreateCampaignAsync(NewCouponCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO coupon_campaigns (id, name, segment, valid_from, valid_to, stock, title, amount, percent, min_spend, created_at) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING " + CampaignColumns);
        cmd.Parameters.AddWithValue(Guid.CreateVersion7(now));
        cmd.Parameters.AddWithValue(campaign.Name);
        AddNullable(cmd, campaign.Segment, NpgsqlDbType.Text);
        cmd.Parameters.AddWithValue(campaign.ValidFrom.ToUniversalTime());
        cmd.Parameters.AddWithValue(campaign.ValidTo.ToUniversalTime());
        AddNullable(cmd, campaign.Stock, NpgsqlDbType.Bigint);
        cmd.Parameters.AddWithValue(campaign.Coupon.Title);
        AddNullable(cmd, campaign.Coupon.Amount, NpgsqlDbType.Numeric);
        AddNullable(cmd, campaign.Coupon.Percent, NpgsqlDbType.Integer);
        AddNullable(cmd, campaign.Coupon.MinSpend, NpgsqlDbType.Numeric);
        cmd.Parameters.AddWithValue(now.ToUniversalTime());
        return (await ReadCampaignsAsync(cmd, cancellationToken))[0];
    }

    /// <inheritdoc />
    public async Task<CouponCampaign?> GetCampaignAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT " + CampaignColumns + " FROM coupon_campaigns WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return (await ReadCampaignsAsync(cmd, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<CouponCampaignPage> ListCampaignsAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM coupon_campaigns");
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        await using var cmd = dataSource.CreateCommand(
            "SELECT " + CampaignColumns + " FROM coupon_campaigns ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2");
        cmd.Parameters.AddWithValue(pageSize);
        cmd.Parameters.AddWithValue((long)(page - 1) * pageSize);
        return new CouponCampaignPage(await ReadCampaignsAsync(cmd, cancellationToken), total, page, pageSize);
    }

    /// <inheritdoc />
    public async Task<CouponCampaign> StopCampaignAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE coupon_campaigns SET stopped_at = COALESCE(stopped_at, $2) WHERE id = $1 RETURNING " + CampaignColumns);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(now.ToUniversalTime());
        return (await ReadCampaignsAsync(cmd, cancellationToken)).FirstOrDefault() ?? throw new KeyNotFoundException($"no coupon campaign {id}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CouponCampaign>> ListLiveCampaignsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT " + CampaignColumns + " FROM coupon_campaigns WHERE stopped_at IS NULL AND valid_to > $1 ORDER BY id");
        cmd.Parameters.AddWithValue(now.ToUniversalTime());
        return await ReadCampaignsAsync(cmd, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ReadIssuedMembersAsync(Guid couponCampaignId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT member_id FROM coupons WHERE coupon_campaign_id = $1");
        cmd.Parameters.AddWithValue(couponCampaignId);
        cmd.CommandTimeout = 0;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader.GetInt64(0);
        }
    }

    /// <inheritdoc />
    public async Task<CouponWriteResult> WriteIssuedAsync(IReadOnlyList<IssuedCoupon> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        if (coupons.Count == 0)
        {
            return CouponWriteResult.Empty;
        }

        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var lockRows = new NpgsqlCommand("SELECT id FROM coupon_campaigns WHERE id = ANY($1) ORDER BY id FOR UPDATE", conn, tx))
        {
            lockRows.Parameters.AddWithValue(coupons.Select(c => c.CouponCampaignId).Distinct().ToArray());
            await lockRows.ExecuteNonQueryAsync(cancellationToken);
        }

        // A new statement after the locks: its snapshot sees every coupon committed before them.
        var inserted = new List<CouponKey>();
        var refused = new List<CouponKey>();
        var fresh = new HashSet<CouponKey>();
        await using (var write = new NpgsqlCommand(WriteSql, conn, tx))
        {
            write.Parameters.AddWithValue(coupons.Select(c => c.CouponCampaignId).ToArray());
            write.Parameters.AddWithValue(coupons.Select(c => c.MemberId).ToArray());
            write.Parameters.AddWithValue(coupons.Select(c => c.Id).ToArray());
            write.Parameters.AddWithValue(coupons.Select(c => c.IssuedAt.ToUniversalTime()).ToArray());
            await using var reader = await write.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = new CouponKey(reader.GetGuid(0), reader.GetInt64(1));
                fresh.Add(key);
                (reader.GetBoolean(2) ? inserted : refused).Add(key);
            }
        }

        await tx.CommitAsync(cancellationToken);
        var existing = coupons.Select(c => c.Key).Distinct().Where(k => !fresh.Contains(k)).ToList();
        return new CouponWriteResult(inserted, existing, refused);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Coupon>> ListMemberCouponsAsync(long memberId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT " + CouponColumns + " FROM coupons c JOIN coupon_campaigns k ON k.id = c.coupon_campaign_id " +
            "WHERE c.member_id = $1 ORDER BY c.issued_at DESC, c.id LIMIT " + MaxMemberCoupons);
        cmd.Parameters.AddWithValue(memberId);
        return await ReadCouponsAsync(cmd, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Coupon?> GetCouponAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT " + CouponColumns + " FROM coupons c JOIN coupon_campaigns k ON k.id = c.coupon_campaign_id WHERE c.id = $1");
        cmd.Parameters.AddWithValue(id);
        return (await ReadCouponsAsync(cmd, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<Coupon> TransitionCouponAsync(Guid id, CouponTrigger trigger, string? orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            var coupon = await GetCouponAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"no coupon {id}");
            var (to, changed) = CouponLifecycle.Apply(coupon.StoredStatus, coupon.OrderId, trigger, orderId, coupon.ValidTo, now);
            if (!changed)
            {
                return coupon;
            }

            await using var cmd = dataSource.CreateCommand(
                "WITH c AS (UPDATE coupons SET status = $3, " +
                "claimed_at = CASE WHEN $3 = 'claimed' THEN $4 ELSE claimed_at END, " +
                "redeemed_at = CASE WHEN $3 = 'redeemed' THEN $4 ELSE redeemed_at END, " +
                "order_id = CASE WHEN $3 = 'redeemed' THEN $5 ELSE order_id END " +
                "WHERE id = $1 AND status = $2 RETURNING *) " +
                "SELECT " + CouponColumns + " FROM c JOIN coupon_campaigns k ON k.id = c.coupon_campaign_id");
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(Text(coupon.StoredStatus));
            cmd.Parameters.AddWithValue(Text(to));
            cmd.Parameters.AddWithValue(now.ToUniversalTime());
            AddNullable(cmd, orderId, NpgsqlDbType.Text);
            if ((await ReadCouponsAsync(cmd, cancellationToken)).FirstOrDefault() is { } moved)
            {
                return moved;
            }

            // Another request changed the coupon since it was read: decide again on what it is now.
        }
    }

    private static async Task<List<CouponCampaign>> ReadCampaignsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var campaigns = new List<CouponCampaign>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            campaigns.Add(new CouponCampaign(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                new CouponBenefit(
                    reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                    reader.IsDBNull(8) ? null : reader.GetInt32(8),
                    reader.IsDBNull(9) ? null : reader.GetDecimal(9)),
                reader.GetInt64(10),
                reader.GetFieldValue<DateTimeOffset>(11),
                reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12)));
        }

        return campaigns;
    }

    private static async Task<List<Coupon>> ReadCouponsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var coupons = new List<Coupon>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            coupons.Add(new Coupon(
                reader.GetGuid(0),
                reader.GetGuid(1),
                reader.GetInt64(2),
                Enum.Parse<CouponStatus>(reader.GetString(3), ignoreCase: true),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8),
                reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return coupons;
    }

    private static string Text(CouponStatus status) => status.ToString().ToLowerInvariant();

    private static void AddNullable<T>(NpgsqlCommand cmd, T? value, NpgsqlDbType type) =>
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = (object?)value ?? DBNull.Value });
}
