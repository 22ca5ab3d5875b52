using Microsoft.Extensions.Configuration;
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
    /// (<c>Promotion:Senders:Webhook</c>) and validated at start, and its pooled HTTP client.
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
            .ValidateOnStart();
        services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                // The sender enforces its own per-attempt timeout through a token.
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
            .RemoveAllLoggers();
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

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
