using System.Globalization;
using Promotion.Engine.HotGoods;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>
/// The hot-goods frequency cap in Redis: one key per member holding the campaign that took the cap,
/// expiring after the period. A Lua script takes the cap or confirms it is already this campaign's in
/// one round trip, so two campaigns racing for a member cannot both win it; another gives it back
/// only while the same campaign still holds it.
/// </summary>
public sealed class RedisFrequencyCap(IConnectionMultiplexer redis, RedisKeys keys) : IFrequencyCap
{
    // KEYS[1] member's cap, ARGV[1] campaign id, ARGV[2] period in milliseconds.
    private const string TakeScript = """
        local held = redis.call('GET', KEYS[1])
        if not held then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        if held == ARGV[1] then
          return 1
        end
        return 0
        """;

    // KEYS[1] member's cap, ARGV[1] campaign id: deleted only while that campaign holds it.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    /// <inheritdoc />
    /// <remarks>The period runs on Redis's clock; <paramref name="now"/> is not needed here.</remarks>
    public async ValueTask<bool> TryTakeAsync(long memberId, Guid campaignId, TimeSpan period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            TakeScript,
            [KeyFor(memberId)],
            [campaignId.ToString("N"), (long)Math.Ceiling(period.TotalMilliseconds)]).WaitAsync(cancellationToken);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(long memberId, Guid campaignId, CancellationToken cancellationToken) =>
        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [KeyFor(memberId)], [campaignId.ToString("N")]).WaitAsync(cancellationToken);

    /// <summary>The key of <paramref name="memberId"/>'s cap.</summary>
    public RedisKey KeyFor(long memberId) => keys.Prefix + "cap:hot-goods:" + memberId.ToString(CultureInfo.InvariantCulture);
}
