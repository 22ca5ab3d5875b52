using System.Text.Json;
using Promotion.Engine.Coupons;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>
/// The coupon ledger in Redis. Keys (under <see cref="RedisKeys.CouponPrefix"/>): <c>campaigns</c>
/// (hash of rules), per campaign <c>{id}:issued</c> (hash member -> p|w) and <c>{id}:stock</c>
/// (counter), <c>restored</c> (marker) and <c>restore-lock</c>. A batch of logins is decided by
/// one call of a Lua script (<c>Scripts/coupon-decide.lua</c>) against every campaign at once, so
/// the checks and the record of an issue cannot interleave with another login's.
/// </summary>
/// <remarks>
/// The scripts build per-campaign keys from the prefix, which a single Redis server (or a
/// primary with replicas) allows; Redis Cluster would need every key declared, which this is not.
/// Redis must not evict these keys (maxmemory-policy noeviction): a partly evicted ledger is not
/// detected as empty.
/// </remarks>
public sealed class RedisCouponLedger(IConnectionMultiplexer redis, RedisKeys keys) : ICouponLedger
{
    // What a removed (stopped or ended) campaign's issued members and stock are kept for, for
    // operators comparing them with the store.
    private static readonly TimeSpan RemovedCampaignKeysLive = TimeSpan.FromDays(1);
    private static readonly RedisLuaScript Decide = RedisLuaScript.FromResource("coupon-decide");
    private static readonly RedisLuaScript Revoke = RedisLuaScript.FromResource("coupon-revoke");
    private static readonly RedisLuaScript BeginRestore = RedisLuaScript.FromResource("coupon-begin-restore");
    private static readonly RedisLuaScript EndRestore = RedisLuaScript.FromResource("coupon-end-restore");
    private const int Chunk = 5_000;

    /// <inheritdoc />
    public async Task<IReadOnlyList<LoginDecision?>> DecideAsync(IReadOnlyList<LoginCheck> logins, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logins);
        var decisions = new LoginDecision?[logins.Count];
        if (logins.Count == 0)
        {
            return decisions;
        }

        // The whole batch is one script call: one round trip, and one atomic step for all its logins.
        var args = new List<RedisValue>(2 + (logins.Count * 4)) { keys.CouponPrefix, now.ToUnixTimeMilliseconds() };
        foreach (var login in logins)
        {
            args.Add(login.MemberId);
            args.Add(login.At.ToUnixTimeMilliseconds());
            args.Add(login.Segments.Count);
            foreach (var segment in login.Segments)
            {
                args.Add(segment);
            }
        }

        var result = await Decide.EvaluateAsync(redis, [keys.CouponCampaigns, keys.CouponsRestored], [.. args]).WaitAsync(cancellationToken);
        if (result.IsNull)
        {
            // Not restored: nothing of the batch was decided.
            return decisions;
        }

        var flat = (RedisResult[])result!;
        var campaigns = flat.Length - logins.Count;
        if (campaigns < 0)
        {
            throw new InvalidOperationException($"the decide script answered {flat.Length} items for {logins.Count} logins");
        }

        var ids = new Guid[campaigns];
        for (var c = 0; c < campaigns; c++)
        {
            ids[c] = Guid.Parse((string)flat[c]!);
        }

        for (var i = 0; i < logins.Count; i++)
        {
            var codes = (string?)flat[campaigns + i] ?? string.Empty;
            var decided = new CampaignDecision[campaigns];
            for (var c = 0; c < campaigns; c++)
            {
                decided[c] = new CampaignDecision(ids[c], ParseOutcome(codes[c]));
            }

            decisions[i] = new LoginDecision(logins[i].MemberId, decided);
        }

        return decisions;
    }

    /// <inheritdoc />
    public async Task MarkWrittenAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        var db = redis.GetDatabase();
        var writes = coupons.GroupBy(c => c.CouponCampaignId)
            .SelectMany(g => g.Chunk(Chunk).Select(chunk =>
                db.HashSetAsync(keys.CouponIssued(g.Key), [.. chunk.Select(c => new HashEntry(c.MemberId, "w"))])));
        await Task.WhenAll(writes).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task RevokeAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        foreach (var chunk in coupons.Chunk(Chunk))
        {
            var args = new RedisValue[1 + (2 * chunk.Length)];
            args[0] = keys.CouponPrefix;
            for (var i = 0; i < chunk.Length; i++)
            {
                args[1 + (2 * i)] = chunk[i].CouponCampaignId.ToString("D");
                args[2 + (2 * i)] = chunk[i].MemberId;
            }

            await Revoke.EvaluateAsync(redis, [], args).WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task PutCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var db = redis.GetDatabase();
        var rules = db.HashSetAsync(keys.CouponCampaigns, rule.Id.ToString("D"), RuleJson(rule));
        var stock = rule.LimitedStock ? db.StringSetAsync(keys.CouponStock(rule.Id), stockLeft ?? 0, when: When.NotExists) : Task.FromResult(true);
        await Task.WhenAll(rules, stock).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task RemoveCampaignAsync(Guid couponCampaignId, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        await Task.WhenAll(
            db.HashDeleteAsync(keys.CouponCampaigns, couponCampaignId.ToString("D")),
            db.KeyExpireAsync(keys.CouponIssued(couponCampaignId), RemovedCampaignKeysLive),
            db.KeyExpireAsync(keys.CouponStock(couponCampaignId), RemovedCampaignKeysLive)).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> ListCampaignIdsAsync(CancellationToken cancellationToken)
    {
        var ids = await redis.GetDatabase().HashKeysAsync(keys.CouponCampaigns).WaitAsync(cancellationToken);
        return [.. ids.Select(id => Guid.Parse((string)id!))];
    }

    /// <inheritdoc />
    public async Task<RestoreStart> TryBeginRestoreAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await BeginRestore.EvaluateAsync(redis, [keys.CouponsRestored, keys.CouponsRestoreLock], [owner, (long)lease.TotalMilliseconds])
            .WaitAsync(cancellationToken);
        return (int)result switch
        {
            0 => RestoreStart.Began,
            1 => RestoreStart.AlreadyRestored,
            _ => RestoreStart.Busy,
        };
    }

    /// <inheritdoc />
    public async Task RestoreMembersAsync(Guid couponCampaignId, IReadOnlyCollection<long> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        var db = redis.GetDatabase();
        await Task.WhenAll(members.Chunk(Chunk).Select(chunk =>
            db.HashSetAsync(keys.CouponIssued(couponCampaignId), [.. chunk.Select(m => new HashEntry(m, "w"))]))).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task RestoreCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var db = redis.GetDatabase();
        var rules = db.HashSetAsync(keys.CouponCampaigns, rule.Id.ToString("D"), RuleJson(rule));
        var stock = rule.LimitedStock ? db.StringSetAsync(keys.CouponStock(rule.Id), stockLeft ?? 0) : Task.FromResult(true);
        await Task.WhenAll(rules, stock).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task EndRestoreAsync(string owner, bool completed, CancellationToken cancellationToken)
    {
        // The marker names the restorer, for operators wondering who restored the ledger.
        await EndRestore.EvaluateAsync(redis, [keys.CouponsRestored, keys.CouponsRestoreLock], [owner, completed ? "1" : "0", owner])
            .WaitAsync(cancellationToken);
    }

    private static string RuleJson(CouponCampaignRule rule) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["from"] = rule.ValidFrom.ToUnixTimeMilliseconds(),
        ["to"] = rule.ValidTo.ToUnixTimeMilliseconds(),
        ["segment"] = rule.Segment,
        ["limited"] = rule.LimitedStock,
    });

    private static CouponDecisionOutcome ParseOutcome(char code) => code switch
    {
        'i' => CouponDecisionOutcome.Issued,
        'p' => CouponDecisionOutcome.IssuedPending,
        'w' => CouponDecisionOutcome.AlreadyIssued,
        's' => CouponDecisionOutcome.SoldOut,
        't' => CouponDecisionOutcome.OutsideWindow,
        'g' => CouponDecisionOutcome.NotInSegment,
        _ => throw new InvalidOperationException($"the decide script returned an unknown outcome '{code}'"),
    };
}
