using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;
using Promotion.Infrastructure.Senders;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers one of the <see cref="ISender"/> adapters.</summary>
public static class SendersServiceCollectionExtensions
{
    /// <summary>
    /// Registers the HTTP webhook sender with options bound from <paramref name="section"/>
    /// (<c>Promotion:Senders:Webhook</c>) and validated at start, and its pooled HTTP client with a
    /// resilience pipeline per channel (Microsoft.Extensions.Http.Resilience): a circuit breaker
    /// around an attempt timeout.
    /// </summary>
    public static IServiceCollection AddPromotionWebhookSender(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        const string Path = WebhookSenderOptions.SectionPath;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<WebhookSenderOptions>().Bind(section)
            .Validate(o => IsHttpUrl(o.Url), $"{Path}:Url must be an absolute http(s) URL")
            .Validate(o => o.ChannelUrls.Keys.All(k => ChannelNames.TryParse(k, out _)), $"{Path}:ChannelUrls keys must be channel names ({string.Join(", ", ChannelNames.All)})")
            .Validate(o => o.ChannelUrls.Values.All(IsHttpUrl), $"{Path}:ChannelUrls values must be absolute http(s) URLs")
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(10), $"{Path}:Timeout must be positive and at most 00:10:00")
            .Validate(o => o.CircuitBreaker.FailureRatio is > 0 and <= 1, $"{Path}:CircuitBreaker:FailureRatio must be above 0 and at most 1")
            .Validate(o => o.CircuitBreaker.MinimumThroughput >= 2, $"{Path}:CircuitBreaker:MinimumThroughput must be at least 2")
            .Validate(o => o.CircuitBreaker.SamplingDuration >= TimeSpan.FromMilliseconds(500) && o.CircuitBreaker.SamplingDuration <= TimeSpan.FromDays(1), $"{Path}:CircuitBreaker:SamplingDuration must be between 00:00:00.5 and 1.00:00:00")
            .Validate(o => o.CircuitBreaker.BreakDuration >= TimeSpan.FromMilliseconds(500) && o.CircuitBreaker.BreakDuration <= TimeSpan.FromDays(1), $"{Path}:CircuitBreaker:BreakDuration must be between 00:00:00.5 and 1.00:00:00")
            .ValidateOnStart();
        // Polly would log every attempt and timeout of this pipeline (thousands a second when a
        // sender is down); the sender logs its circuits' changes itself. Other pipelines keep theirs.
        services.Configure<TelemetryOptions>(o =>
        {
            var other = o.SeverityProvider;
            o.SeverityProvider = args => args.Source.PipelineName?.StartsWith(WebhookSender.HttpClientName, StringComparison.Ordinal) == true
                ? ResilienceEventSeverity.None
                : other?.Invoke(args) ?? args.Event.Severity;
        });
        services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                // The pipeline's timeout strategy bounds each attempt.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The fan-out keeps about a thousand sends in flight per host against one server.
                MaxConnectionsPerServer = int.MaxValue,
                // Recycled connections pick up DNS changes, so the handler itself can live forever.
                PooledConnectionLifetime = TimeSpan.FromMinutes(3),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                AllowAutoRedirect = false,
                UseCookies = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The default handlers log two lines per request: thousands a second here.
            .RemoveAllLoggers()
            .AddResilienceHandler("webhook", AddChannelPipeline)
            // One pipeline, so one circuit, per channel: a failing SMS gateway does not stop app pushes.
            .SelectPipelineBy(_ => request => request.Options.TryGetValue(WebhookSender.ChannelOption, out var channel) ? channel : "none");
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<ISender>(sp => sp.GetRequiredService<WebhookSender>());
        return services;
    }

    /// <summary>
    /// Registers the simulated sender with options bound from <paramref name="section"/>
    /// (<c>Promotion:Senders:Simulated</c>) and validated at start.
    /// </summary>
    public static IServiceCollection AddPromotionSimulatedSender(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        const string Path = SimulatedSenderOptions.SectionPath;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SimulatedSenderOptions>().Bind(section)
            .Validate(o => o.Latency >= TimeSpan.Zero && o.Latency <= TimeSpan.FromMinutes(1), $"{Path}:Latency must be between 00:00:00 and 00:01:00")
            .Validate(o => o.TransientFailureRate is >= 0 and <= 1, $"{Path}:TransientFailureRate must be between 0 and 1")
            .Validate(o => o.PermanentFailureRate is >= 0 and <= 1, $"{Path}:PermanentFailureRate must be between 0 and 1")
            .ValidateOnStart();
        services.AddSingleton<SimulatedSender>();
        services.AddSingleton<ISender>(sp => sp.GetRequiredService<SimulatedSender>());
        return services;
    }

    private static void AddChannelPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptions<WebhookSenderOptions>>().Value;
        var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<WebhookSender>();
        var channel = context.InstanceName;
        var circuit = options.CircuitBreaker;
        // Outermost the breaker, so a timed-out attempt counts as a failure of the channel.
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = circuit.FailureRatio,
            MinimumThroughput = circuit.MinimumThroughput,
            SamplingDuration = circuit.SamplingDuration,
            BreakDuration = circuit.BreakDuration,
            OnOpened = args =>
            {
                WebhookCircuitLog.Opened(logger, channel, args.BreakDuration.TotalSeconds, Describe(args.Outcome));
                return default;
            },
            OnClosed = _ =>
            {
                WebhookCircuitLog.Closed(logger, channel);
                return default;
            },
        });
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.Timeout });
    }

    private static string Describe(Polly.Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? "HTTP " + (int)response.StatusCode : outcome.Exception?.GetType().Name ?? "unknown";

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
