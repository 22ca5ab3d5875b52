namespace Promotion.Infrastructure.Redis;

/// <summary>Redis settings, bound from <c>Promotion:Redis</c>; the connection string is <c>ConnectionStrings:Redis</c>.</summary>
public sealed class RedisOptions
{
    /// <summary>Prefix of every key the engine writes, so several deployments (or test runs) can share a server.</summary>
    public string KeyPrefix { get; set; } = "promotion:";
}
