using Promotion.Infrastructure.RabbitMq;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the readiness check of the RabbitMQ broker.</summary>
public static class RabbitMqHealthServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>rabbitmq</c> health check (tag <c>ready</c>, AspNetCore.HealthChecks.Rabbitmq) on
    /// one kept connection to <paramref name="rabbitMqConnectionString"/>
    /// (<c>amqp://user:password@host:port/vhost</c>).
    /// </summary>
    public static IServiceCollection AddPromotionRabbitMqHealth(this IServiceCollection services, string rabbitMqConnectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rabbitMqConnectionString);
        services.AddSingleton(new RabbitMqHealthConnection(rabbitMqConnectionString));
        services.AddHealthChecks().AddRabbitMQ(
            sp => sp.GetRequiredService<RabbitMqHealthConnection>().GetAsync(), name: "rabbitmq", tags: ["ready"], timeout: TimeSpan.FromSeconds(5));
        return services;
    }
}
