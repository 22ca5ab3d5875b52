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
    /// consumed ones retry a handler failure a bounded number of times with backoff (or for the
    /// route's <see cref="JobRouteOptions.RetryFor"/>) and then move the message, with its
    /// exception, to the <c>{queue}_error</c> queue; an <see cref="UnprocessableMessageException"/>
    /// moves it there at once. Adds the bus health check (<c>masstransit-bus</c>).
    /// </summary>
    public static IServiceCollection AddPromotionMessaging(this IServiceCollection services, string? rabbitMqConnectionString, Action<JobRoutes> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var jobRoutes = new JobRoutes();
        routes(jobRoutes);
        services.AddSingleton(jobRoutes);
        services.AddSingleton<IJobDispatcher, MassTransitJobDispatcher>();
        // Dashboard queue depths: RabbitMQ answers passive declares; the in-memory transport cannot tell.
        services.AddSingleton<Promotion.Engine.Stats.IQueueDepths>(sp => rabbitMqConnectionString is null
            ? new InMemoryQueueDepths(jobRoutes)
            : new RabbitMqQueueDepths(jobRoutes, rabbitMqConnectionString));
        var consumed = jobRoutes.All.Where(r => r.Consume).ToList();

        services.AddMassTransit(x =>
        {
            foreach (var route in consumed)
            {
                x.AddConsumer(typeof(JobMessageConsumer<>).MakeGenericType(route.MessageType));
            }

            if (rabbitMqConnectionString is null)
            {
                x.UsingInMemory((context, cfg) => ConfigureEndpoints(context, cfg, consumed, jobRoutes));
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
                    ConfigureEndpoints(context, cfg, consumed, jobRoutes);
                });
            }
        });
        return services;
    }

    private static void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator cfg, List<JobRoute> consumed, JobRoutes routes)
    {
        foreach (var route in consumed)
        {
            var options = routes.OptionsOf(route.MessageType);
            foreach (var queue in route.Queues)
            {
                cfg.ReceiveEndpoint(queue, e =>
                {
                    // Point-to-point queues: no fan-out exchanges bound per message type.
                    e.ConfigureConsumeTopology = false;
                    e.PrefetchCount = Math.Max(route.Concurrency * 2, 4);
                    e.ConcurrentMessageLimit = route.Concurrency;
                    if (options.AcceptPlainJson)
                    {
                        e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                    }

                    e.UseMessageRetry(r =>
                    {
                        if (options.RetryFor is null)
                        {
                            r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));
                        }
                        else
                        {
                            r.Intervals([.. options.RetryIntervals()]);
                        }

                        // Retrying cannot mend a malformed message: to the error queue at once.
                        r.Ignore<UnprocessableMessageException>();
                    });
                    e.ConfigureConsumer(context, typeof(JobMessageConsumer<>).MakeGenericType(route.MessageType));
                });
            }
        }
    }
}
