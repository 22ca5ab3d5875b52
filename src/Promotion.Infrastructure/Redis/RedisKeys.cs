using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>Builds the engine's Redis key names under the configured prefix.</summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private readonly string _prefix = options.Value.KeyPrefix;

    /// <summary>The configured prefix.</summary>
    public string Prefix => _prefix;

    /// <summary>Sorted set: node id scored by the unix milliseconds at which it stops counting as alive.</summary>
    public RedisKey NodesAlive => _prefix + "nodes:alive";

    /// <summary>Hash: node id to its last heartbeat (JSON).</summary>
    public RedisKey NodesInfo => _prefix + "nodes:info";
}
