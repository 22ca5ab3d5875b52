using Microsoft.Extensions.Logging;

namespace Promotion.Infrastructure.Senders;

/// <summary>What the webhook sender logs about its channels' circuits.</summary>
internal static partial class WebhookCircuitLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook circuit of channel {Channel} opened for {Seconds} s after {LastFailure}: its sends fail at once meanwhile")]
    public static partial void Opened(ILogger logger, string channel, double seconds, string lastFailure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook circuit of channel {Channel} closed: the webhook answers again")]
    public static partial void Closed(ILogger logger, string channel);
}
