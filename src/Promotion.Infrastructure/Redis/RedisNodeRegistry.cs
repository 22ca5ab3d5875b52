using System.Text.Json;
using Promotion.Engine.Nodes;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>
/// Heartbeats in Redis: a sorted set scores each node by the time its heartbeat runs out, a hash
/// keeps the heartbeat itself. Alive = score in the future; dead entries are trimmed on each beat.
/// </summary>
public sealed class RedisNodeRegistry(ConnectionMultiplexer redis, RedisKeys keys) : INodeRegistry
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public async Task BeatAsync(NodeHeartbeat heartbeat, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        var db = redis.GetDatabase();
        var tx = db.CreateTransaction();
        var expiresAt = (heartbeat.At + timeout).ToUnixTimeMilliseconds();
        _ = tx.SortedSetAddAsync(keys.NodesAlive, heartbeat.NodeId, expiresAt);
        _ = tx.HashSetAsync(keys.NodesInfo, heartbeat.NodeId, JsonSerializer.Serialize(heartbeat));
        _ = tx.SortedSetRemoveRangeByScoreAsync(keys.NodesAlive, double.NegativeInfinity, (heartbeat.At - ForgetAfter).ToUnixTimeMilliseconds());
        await tx.ExecuteAsync().WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<NodeHeartbeat>> ListAliveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var ids = await db.SortedSetRangeByScoreAsync(keys.NodesAlive, now.ToUnixTimeMilliseconds(), double.PositiveInfinity, Exclude.Start)
            .WaitAsync(cancellationToken);
        if (ids.Length == 0)
        {
            return [];
        }

        var infos = await db.HashGetAsync(keys.NodesInfo, ids).WaitAsync(cancellationToken);
        var alive = new List<NodeHeartbeat>(ids.Length);
        foreach (var info in infos)
        {
            if (!info.IsNullOrEmpty && JsonSerializer.Deserialize<NodeHeartbeat>((string)info!) is { } hb)
            {
                alive.Add(hb);
            }
        }

        return alive;
    }

    /// <inheritdoc />
    public async Task LeaveAsync(string nodeId, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var tx = db.CreateTransaction();
        _ = tx.SortedSetRemoveAsync(keys.NodesAlive, nodeId);
        _ = tx.HashDeleteAsync(keys.NodesInfo, nodeId);
        await tx.ExecuteAsync().WaitAsync(cancellationToken);
    }
}
