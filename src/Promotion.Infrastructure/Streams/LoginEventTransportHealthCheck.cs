using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Promotion.Infrastructure.Streams;

/// <summary>Healthy when the login-event broker answers (RabbitMQ: a connection opens).</summary>
internal sealed class LoginEventTransportHealthCheck(ILoginEventTransport transport) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await transport.CheckAsync(timeout.Token);
            return HealthCheckResult.Healthy($"{transport.Kind} answers");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return HealthCheckResult.Unhealthy($"{transport.Kind} does not answer: {ex.Message}");
        }
    }
}
