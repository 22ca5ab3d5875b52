using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>Healthy when Redis answers PING.</summary>
internal sealed class RedisHealthCheck(ConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"Redis answers ({latency.TotalMilliseconds:0.0} ms)");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: " + ex.Message);
        }
    }
}
