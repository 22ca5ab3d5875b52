using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;

namespace Promotion.Infrastructure.Senders;

/// <summary>
/// Sends each message as <c>POST {url}</c> with a JSON body and an <c>Idempotency-Key</c> header
/// (the sender webhook contract). One attempt per call through the client's resilience pipeline
/// (Microsoft.Extensions.Http.Resilience: an attempt timeout, and a circuit breaker per channel);
/// the fan-out retries transient failures, each retry under the campaign's rate limit. While a
/// channel's circuit is open its sends fail at once, permanently, with that reason.
/// </summary>
public sealed partial class WebhookSender : ISender
{
    /// <summary>Name of the <see cref="HttpClient"/> this sender asks the factory for.</summary>
    public const string HttpClientName = "Promotion.WebhookSender";

    /// <summary>The request option naming the channel, which picks the channel's pipeline (and so its circuit).</summary>
    public static readonly HttpRequestOptionsKey<string> ChannelOption = new("promotion.channel");

    private const int ReasonBodyChars = 200;
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly IHttpClientFactory _clients;
    private readonly ILogger<WebhookSender> _logger;
    private readonly string _timeoutReason;
    private readonly Uri[] _urls;

    /// <summary>Creates the sender; the options are validated at start (see <c>AddPromotionWebhookSender</c>).</summary>
    public WebhookSender(IHttpClientFactory clients, IOptions<WebhookSenderOptions> options, ILogger<WebhookSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _logger = logger;
        var settings = options.Value;
        _timeoutReason = string.Create(CultureInfo.InvariantCulture, $"timeout after {settings.Timeout.TotalSeconds:0.###} s");
        // Resolved once, indexed by channel, so a send does no dictionary lookup or parsing.
        var channels = Enum.GetValues<Channel>();
        _urls = new Uri[channels.Max(c => (int)c) + 1];
        foreach (var channel in channels)
        {
            var url = settings.ChannelUrls.TryGetValue(channel.ToWire(), out var own) ? own : settings.Url;
            _urls[(int)channel] = new Uri(url ?? throw new InvalidOperationException($"{WebhookSenderOptions.SectionPath}:Url is required"), UriKind.Absolute);
        }
    }

    /// <inheritdoc />
    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] body;
        try
        {
            body = Serialize(message);
        }
        catch (JsonException ex)
        {
            // Re-sending the same bad payload cannot help.
            return SendResult.Permanent("payload is not valid JSON: " + ex.Message);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _urls[(int)message.Channel]);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = JsonMediaType;
        request.Headers.TryAddWithoutValidation("Idempotency-Key", message.IdempotencyKey);
        request.Options.Set(ChannelOption, message.Channel.ToWire());

        try
        {
            // Headers only: a 2xx body is never read, and an error body is read up to what the reason needs.
            using var response = await _clients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                return SendResult.Sent;
            }

            if (status is 408 or 429 or >= 500)
            {
                return SendResult.Transient(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}"));
            }

            var text = await ReadStartAsync(response.Content, cancellationToken);
            return SendResult.Permanent(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}: {text}"));
        }
        catch (TimeoutRejectedException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendResult.Transient(_timeoutReason);
        }
        catch (BrokenCircuitException) when (!cancellationToken.IsCancellationRequested)
        {
            // Fail fast and for good: retrying into an open circuit only burns the campaign's limit.
            return SendResult.Permanent(CircuitOpenReason(message.Channel));
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = Describe(ex);
            LogRequestFailed(_logger, message.CampaignId, message.MemberId, reason, ex);
            return SendResult.Transient(reason);
        }
    }

    /// <summary>The failure reason of a send refused by the open circuit of <paramref name="channel"/>.</summary>
    public static string CircuitOpenReason(Channel channel) => $"circuit open: the {channel.ToWire()} webhook keeps failing";

    private static byte[] Serialize(OutgoingMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (message.Title.Length + message.Body.Length + (message.Payload?.Length ?? 0)) * 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("campaignId", message.CampaignId);
            json.WriteNumber("memberId", message.MemberId);
            json.WriteString("channel", message.Channel.ToWire());
            json.WriteString("title", message.Title);
            json.WriteString("body", message.Body);
            json.WriteString("idempotencyKey", message.IdempotencyKey);
            if (message.Payload is not null)
            {
                json.WritePropertyName("payload");
                json.WriteRawValue(message.Payload);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // 200 characters are at most 800 bytes of UTF-8; the rest of a large body is never read.
        var bytes = new byte[ReasonBodyChars * 4];
        var read = 0;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        int n;
        while (read < bytes.Length && (n = await stream.ReadAsync(bytes.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, read).Trim();
        return text.Length <= ReasonBodyChars ? text : text[..ReasonBodyChars];
    }

    private static string Describe(HttpRequestException ex)
    {
        var socket = ex.InnerException as SocketException ?? ex.InnerException?.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.ConnectionReset => "connection reset",
            SocketError.TimedOut => "connect timed out",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
            _ => ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "host not found",
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.ResponseEnded => "connection closed before the response",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                HttpRequestError.InvalidResponse => "invalid HTTP response",
                _ => "HTTP request failed: " + ex.HttpRequestError,
            },
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook call for campaign {CampaignId} member {MemberId} failed: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, Guid campaignId, long memberId, string reason, Exception exception);
}
