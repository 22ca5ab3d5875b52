using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Streams;
using Promotion.Engine.Coupons;
using Promotion.Engine.Stats;
using Promotion.Infrastructure.Streams;
using Promotion.Infrastructure.Streams.RabbitMq;
using Promotion.Infrastructure.Streams.ServiceBus;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the login-event stream: Orleans persistent streams over RabbitMQ or Service Bus, or memory streams.</summary>
public static class StreamsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the broker of the login-event stream, picked by <c>Promotion:LoginEvents:Transport</c>
    /// (keys under <paramref name="loginEvents"/>): RabbitMQ at <paramref name="rabbitMqConnectionString"/>
    /// or Azure Service Bus at <paramref name="serviceBusConnectionString"/>; the dashboard's queue
    /// depths read the same broker; adds the <c>login-events</c> readiness check.
    /// </summary>
    public static IServiceCollection AddPromotionLoginEventTransport(
        this IServiceCollection services, IConfiguration loginEvents, string? rabbitMqConnectionString, string? serviceBusConnectionString)
    {
        services.AddOptions<LoginEventStreamOptions>().Bind(loginEvents)
            .Validate(o => Enum.IsDefined(o.Transport), "Promotion:LoginEvents:Transport must be RabbitMq or ServiceBus")
            .Validate(o => o.Prefetch is >= 1 and <= 10_000, "Promotion:LoginEvents:Prefetch must be between 1 and 10,000")
            .Validate(o => o.Transport != LoginEventTransportKind.RabbitMq || !string.IsNullOrWhiteSpace(rabbitMqConnectionString), "ConnectionStrings:RabbitMq is required when Promotion:LoginEvents:Transport is RabbitMq")
            .Validate(o => o.Transport != LoginEventTransportKind.ServiceBus || !string.IsNullOrWhiteSpace(serviceBusConnectionString), "ConnectionStrings:ServiceBus is required when Promotion:LoginEvents:Transport is ServiceBus")
            .ValidateOnStart();
        services.AddSingleton<ILoginEventTransport>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LoginEventStreamOptions>>().Value;
            return options.Transport == LoginEventTransportKind.ServiceBus
                ? new ServiceBusLoginEventTransport(
                    new ServiceBusClient(serviceBusConnectionString),
                    new ServiceBusAdministrationClient(serviceBusConnectionString),
                    options.Prefetch,
                    sp.GetRequiredService<ILogger<ServiceBusLoginEventTransport>>())
                : new RabbitMqLoginEventTransport(rabbitMqConnectionString!, options.Prefetch, sp.GetRequiredService<ILogger<RabbitMqLoginEventTransport>>());
        });
        services.AddSingleton<IQueueDepths, LoginEventQueueDepths>();
        if (Enum.TryParse<LoginEventTransportKind>(loginEvents["Transport"], ignoreCase: true, out var kind) && kind == LoginEventTransportKind.ServiceBus)
        {
            services.AddHealthChecks().AddCheck<LoginEventTransportHealthCheck>("login-events", tags: ["ready"]);
        }
        else if (!string.IsNullOrWhiteSpace(rabbitMqConnectionString))
        {
            // The broker's own check (AspNetCore.HealthChecks.Rabbitmq) on one kept connection.
            services.AddSingleton(new RabbitMqHealthConnection(rabbitMqConnectionString));
            services.AddHealthChecks().AddRabbitMQ(
                sp => sp.GetRequiredService<RabbitMqHealthConnection>().GetAsync(), name: "rabbitmq", tags: ["ready"], timeout: TimeSpan.FromSeconds(5));
        }

        return services;
    }

    /// <summary>The embedded profile's queue depths (memory streams, depth unknown) and its <c>login-events</c> check.</summary>
    public static IServiceCollection AddPromotionMemoryStreamDepths(this IServiceCollection services)
    {
        services.AddSingleton<IQueueDepths, MemoryStreamQueueDepths>();
        services.AddHealthChecks().AddCheck("login-events", () => HealthCheckResult.Healthy("memory streams (embedded profile)"), tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Adds the <see cref="LoginStreams.Provider"/> stream provider to the silo: persistent streams
    /// through the project's queue adapter over the registered transport, or Orleans memory
    /// streams when <paramref name="memory"/>; implicit subscriptions only (the partition grains),
    /// one delivery at a time per partition, retried for <see cref="LoginEventOptions.RetryFor"/>.
    /// </summary>
    public static ISiloBuilder AddPromotionLoginEventStreams(this ISiloBuilder silo, LoginEventOptions options, bool memory)
    {
        ArgumentNullException.ThrowIfNull(options);
        void Agent(StreamPullingAgentOptions o)
        {
            o.GetQueueMsgsTimerPeriod = options.PollInterval;
            o.MaxEventDeliveryTime = options.RetryFor;
            // One broker message per delivery, so a failing one is dead-lettered alone.
            o.BatchContainerBatchSize = 1;
        }

        if (memory)
        {
            silo.AddMemoryStreams(LoginStreams.Provider, b =>
            {
                b.ConfigurePartitioning(options.Partitions);
                b.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
                b.ConfigurePullingAgent(ob => ob.Configure(Agent));
            });
        }
        else
        {
            silo.AddPersistentStreams(LoginStreams.Provider, LoginEventQueueAdapterFactory.Create, b =>
            {
                b.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
                b.ConfigurePullingAgent(ob => ob.Configure(Agent));
            });
        }

        return silo;
    }
}
