using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Promotion.Engine.Messaging;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Messaging;

// MassTransit needs message types in a namespace; this one is only for the round trip.
public sealed record PingJob(int Number, string Text) : IJobMessage;

public sealed class PingRecorder : IJobMessageHandler<PingJob>
{
    public ConcurrentDictionary<int, int> Received { get; } = new();

    public Task HandleAsync(PingJob message, CancellationToken cancellationToken)
    {
        Received.AddOrUpdate(message.Number, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}

/// <summary>A batch sent through the project's dispatcher comes back through the project's consumer, once each.</summary>
public abstract class JobDispatcherContract
{
    protected abstract string? RabbitMqConnectionString { get; }

    [Fact]
    public async Task A_batch_sent_to_a_queue_is_handled_once_per_message()
    {
        var recorder = new PingRecorder();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IJobMessageHandler<PingJob>>(recorder);
        builder.Services.AddPromotionMessaging(RabbitMqConnectionString, r => r.Route<PingJob>("promotion-ping", consume: true, concurrency: 4));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var dispatcher = host.Services.GetRequiredService<IJobDispatcher>();
            var messages = Enumerable.Range(0, 250).Select(i => new PingJob(i, "hello " + i)).ToList();
            await dispatcher.SendAsync(messages, default);

            await Eventually.TrueAsync(() => recorder.Received.Count == 250, TimeSpan.FromSeconds(60), "all 250 pings to come back");
            Assert.All(recorder.Received.Values, n => Assert.Equal(1, n));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Sending_a_type_without_a_route_is_refused()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPromotionMessaging(RabbitMqConnectionString, _ => { });
        using var host = builder.Build();
        var dispatcher = host.Services.GetRequiredService<IJobDispatcher>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => dispatcher.SendAsync([new PingJob(1, "x")], default));
    }
}

public sealed class InMemoryJobDispatcherTests : JobDispatcherContract
{
    protected override string? RabbitMqConnectionString => null;
}

public sealed class RabbitMqJobDispatcherTests : JobDispatcherContract, IAsyncLifetime
{
    private readonly TemporaryVirtualHost _vhost = new();

    protected override string? RabbitMqConnectionString => _vhost.ConnectionString;

    public Task InitializeAsync() => _vhost.InitializeAsync();

    public Task DisposeAsync() => _vhost.DisposeAsync();
}
