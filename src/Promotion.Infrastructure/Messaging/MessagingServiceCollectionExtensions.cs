using MassTransit;
using Promotion.Engine.Messaging;
using Promotion.Infrastructure.Messaging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the broker: RabbitMQ through MassTransit, or MassTransit's in-memory transport.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers MassTransit on RabbitMQ at <paramref name="rabbitMqConnectionString"/>, or on the
    /// in-memory transport when it is null, with the queues in <paramref name="routes"/>; the
    /// consumed ones retry a handler failure a bounded number of times with backoff and then
    /// move the message, with its exception, to the <c>{queue}_error</c> queue. Adds the bus
    /// health check (<c>masstransit-bus</c>).
    /// </summary>
    public static IServiceCollection AddPromotionMessaging(this IServiceCollection services, string? rabbitMqConnectionString, Action<JobRoutes> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var jobRoutes = new JobRoutes();
        routes(jobRoutes);
        services.AddSingleton(jobRoutes);
        services.AddSingleton<IJobDispatcher, MassTransitJobDispatcher>();
        var consumed = jobRoutes.All.Where(r => r.Consume).ToList();

        services.AddMassTransit(x =>
        {
            foreach (var route in consumed)
            {
                x.AddConsumer(typeof(JobMessageConsumer<>).MakeGenericType(route.MessageType));
            }

            if (rabbitMqConnectionString is null)
            {
                x.UsingInMemory((context, cfg) => ConfigureEndpoints(context, cfg, consumed));
            }
            else
            {
                var address = RabbitMqAddress.Parse(rabbitMqConnectionString);
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
                    {
                        h.Username(address.Username);
                        h.Password(address.Password);
                        h.PublisherConfirmation = true;
                    });
                    ConfigureEndpoints(context, cfg, consumed);
                });
            }
        });
        return services;
    }

    private static void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator cfg, List<JobRoute> consumed)
    {
        foreach (var route in consumed)
        {
            foreach (var queue in route.Queues)
            {
                cfg.ReceiveEndpoint(queue, e =>
                {
                    // Point-to-point queues: no fan-out exchanges bound per message type.
                    e.ConfigureConsumeTopology = false;
                    e.PrefetchCount = Math.Max(route.Concurrency * 2, 4);
                    e.ConcurrentMessageLimit = route.Concurrency;
                    e.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
                    e.ConfigureConsumer(context, typeof(JobMessageConsumer<>).MakeGenericType(route.MessageType));
                });
            }
        }
    }
}
