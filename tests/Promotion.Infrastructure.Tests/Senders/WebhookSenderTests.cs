using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;
using Promotion.Infrastructure.Senders;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Senders;

public sealed class WebhookSenderTests : IAsyncLifetime
{
    private static readonly Guid Campaign = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly WebhookReceiver _receiver = new();
    private readonly List<ServiceProvider> _providers = [];

    public Task InitializeAsync() => _receiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_2xx_answer_is_sent_and_the_receiver_gets_it_once()
    {
        var message = Message(42, Channel.App);

        var result = await Sender().SendAsync(message, CancellationToken.None);

        Assert.Equal(SendResult.Sent, result);
        Assert.Equal(1, _receiver.Received[message.IdempotencyKey]);
        var arrival = Assert.Single(_receiver.Arrivals);
        Assert.Equal((Campaign, 42L, "app"), (arrival.CampaignId, arrival.MemberId, arrival.Channel));
    }

    [Fact]
    public async Task The_body_is_camel_case_json_with_the_payload_as_a_raw_value_and_the_key_as_a_header()
    {
        var message = Message(7, Channel.Email) with { Payload = """{"coupon":{"amount":5}}""" };

        Assert.Equal(SendResult.Sent, await Sender().SendAsync(message, CancellationToken.None));

        var request = _receiver.LastRequest!;
        Assert.Equal("POST", request.Method);
        Assert.Equal(message.IdempotencyKey, request.IdempotencyKeyHeader);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal(
            ["campaignId", "memberId", "channel", "title", "body", "idempotencyKey", "payload"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Campaign, root.GetProperty("campaignId").GetGuid());
        Assert.Equal(7, root.GetProperty("memberId").GetInt64());
        Assert.Equal("email", root.GetProperty("channel").GetString());
        Assert.Equal("Spring sale", root.GetProperty("title").GetString());
        Assert.Equal("Everything -20% \"today\"", root.GetProperty("body").GetString());
        Assert.Equal(message.IdempotencyKey, root.GetProperty("idempotencyKey").GetString());
        Assert.Equal(5, root.GetProperty("payload").GetProperty("coupon").GetProperty("amount").GetInt32());
    }

    [Fact]
    public async Task Without_a_payload_the_body_has_no_payload_property()
    {
        Assert.Equal(SendResult.Sent, await Sender().SendAsync(Message(8, Channel.Inbox), CancellationToken.None));

        using var json = JsonDocument.Parse(_receiver.LastRequest!.Body);
        Assert.False(json.RootElement.TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task A_503_is_transient_and_a_later_attempt_of_the_same_key_is_sent()
    {
        _receiver.TransientFailureRate = 1;
        var sender = Sender();
        var message = Message(1, Channel.Sms);

        Assert.Equal(SendResult.Transient("HTTP 503"), await sender.SendAsync(message, CancellationToken.None));
        Assert.Equal(SendResult.Sent, await sender.SendAsync(message, CancellationToken.None));
        Assert.Equal(2, _receiver.Attempts);
        Assert.Equal(1, _receiver.Received[message.IdempotencyKey]);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task Status_408_429_and_5xx_are_transient(HttpStatusCode status)
    {
        _receiver.ForcedStatus = status;

        var result = await Sender().SendAsync(Message(2, Channel.App), CancellationToken.None);

        Assert.Equal(SendResult.Transient($"HTTP {(int)status}"), result);
    }

    [Fact]
    public async Task A_400_is_permanent_with_the_response_body_in_the_reason()
    {
        _receiver.PermanentFailureRate = 1;
        var message = Message(3, Channel.App);

        var result = await Sender().SendAsync(message, CancellationToken.None);

        Assert.Equal(SendStatus.PermanentFailure, result.Status);
        Assert.Equal("HTTP 400: recipient rejected: simulated permanent failure for " + message.IdempotencyKey, result.Reason);
        Assert.Empty(_receiver.Received);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public async Task Other_4xx_are_permanent(HttpStatusCode status)
    {
        _receiver.ForcedStatus = status;

        var result = await Sender().SendAsync(Message(4, Channel.App), CancellationToken.None);

        Assert.Equal(SendResult.Permanent($"HTTP {(int)status}: forced status {(int)status}"), result);
    }

    [Fact]
    public async Task The_reason_keeps_only_the_first_200_characters_of_the_body()
    {
        _receiver.PermanentFailureRate = 1;
        var message = Message(5, Channel.App) with { IdempotencyKey = new string('k', 500) };

        var result = await Sender().SendAsync(message, CancellationToken.None);

        var expected = ("recipient rejected: simulated permanent failure for " + message.IdempotencyKey)[..200];
        Assert.Equal(SendResult.Permanent("HTTP 400: " + expected), result);
    }

    [Fact]
    public async Task A_payload_that_is_not_json_is_permanent_and_never_sent()
    {
        var result = await Sender().SendAsync(Message(6, Channel.App) with { Payload = "{not json" }, CancellationToken.None);

        Assert.Equal(SendStatus.PermanentFailure, result.Status);
        Assert.StartsWith("payload is not valid JSON", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _receiver.Attempts);
    }

    [Fact]
    public async Task An_answer_slower_than_the_timeout_is_transient()
    {
        _receiver.Latency = TimeSpan.FromSeconds(30);
        var sender = Sender(("Timeout", "00:00:00.2"));

        var result = await sender.SendAsync(Message(9, Channel.App), CancellationToken.None);

        Assert.Equal(SendResult.Transient("timeout after 0.2 s"), result);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task A_channel_failing_every_call_opens_its_circuit_and_then_fails_fast_while_other_channels_send()
    {
        _receiver.FailingPaths["/sms"] = true;
        var sender = Sender(
            ("ChannelUrls:sms", _receiver.UrlFor("sms")),
            ("CircuitBreaker:MinimumThroughput", "5"),
            ("CircuitBreaker:SamplingDuration", "00:01:00"),
            ("CircuitBreaker:BreakDuration", "00:05:00"));

        for (var member = 0; member < 5; member++)
        {
            Assert.Equal(SendResult.Transient("HTTP 503"), await sender.SendAsync(Message(member, Channel.Sms), CancellationToken.None));
        }

        for (var member = 5; member < 50; member++)
        {
            Assert.Equal(SendResult.Permanent("circuit open: the sms webhook keeps failing"), await sender.SendAsync(Message(member, Channel.Sms), CancellationToken.None));
        }

        // The open circuit calls nobody; the app channel's own circuit is closed and sends.
        Assert.Equal(5, _receiver.AttemptsByPath["/sms"]);
        Assert.Equal(SendResult.Sent, await sender.SendAsync(Message(1, Channel.App), CancellationToken.None));
    }

    [Fact]
    public void A_circuit_setting_out_of_range_stops_the_start_naming_the_key()
    {
        var error = StartupError(("Url", "http://127.0.0.1/"), ("CircuitBreaker:MinimumThroughput", "1"), ("CircuitBreaker:FailureRatio", "0"));

        Assert.Contains("Promotion:Senders:Webhook:CircuitBreaker:MinimumThroughput must be at least 2", error, StringComparison.Ordinal);
        Assert.Contains("Promotion:Senders:Webhook:CircuitBreaker:FailureRatio must be above 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_transient()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var sender = Sender(("Url", $"http://127.0.0.1:{port}/"));

        var result = await sender.SendAsync(Message(10, Channel.App), CancellationToken.None);

        Assert.Equal(SendResult.Transient("connection refused"), result);
    }

    [Fact]
    public async Task The_callers_cancellation_propagates_instead_of_becoming_a_result()
    {
        _receiver.Latency = TimeSpan.FromSeconds(30);
        var sender = Sender();
        using var cts = new CancellationTokenSource();

        var send = sender.SendAsync(Message(11, Channel.App), cts.Token);
        await Eventually.TrueAsync(() => _receiver.Attempts == 1, Wait, "the request to arrive");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task A_channel_url_overrides_the_default_url_for_that_channel_only()
    {
        var sender = Sender(("ChannelUrls:sms", _receiver.UrlFor("sms-gateway")));

        Assert.Equal(SendResult.Sent, await sender.SendAsync(Message(12, Channel.Sms), CancellationToken.None));
        Assert.Equal(SendResult.Sent, await sender.SendAsync(Message(12, Channel.Email), CancellationToken.None));

        Assert.Equal(
            [("sms", "/sms-gateway"), ("email", "/")],
            _receiver.Arrivals.Select(a => (a.Channel, a.Path)));
    }

    [Fact]
    public async Task Many_sends_in_flight_at_once_all_arrive()
    {
        _receiver.Latency = TimeSpan.FromMilliseconds(200);
        var sender = Sender();

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => sender.SendAsync(Message(i, Channel.App), CancellationToken.None)));

        Assert.All(results, r => Assert.Equal(SendResult.Sent, r));
        Assert.Equal(500, _receiver.Received.Count);
    }

    [Theory]
    [InlineData(null, "Promotion:Senders:Webhook:Url must be an absolute http(s) URL")]
    [InlineData("/relative", "Promotion:Senders:Webhook:Url must be an absolute http(s) URL")]
    [InlineData("ftp://127.0.0.1/", "Promotion:Senders:Webhook:Url must be an absolute http(s) URL")]
    public void A_url_that_is_not_absolute_http_stops_the_start_naming_the_key(string? url, string expected)
    {
        var error = StartupError(("Url", url));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_url_for_an_unknown_channel_stops_the_start_naming_the_key()
    {
        var error = StartupError(("Url", "http://127.0.0.1/"), ("ChannelUrls:fax", "http://127.0.0.1/fax"));

        Assert.Contains("Promotion:Senders:Webhook:ChannelUrls keys must be channel names", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_of_zero_stops_the_start_naming_the_key()
    {
        var error = StartupError(("Url", "http://127.0.0.1/"), ("Timeout", "00:00:00"));

        Assert.Contains("Promotion:Senders:Webhook:Timeout must be positive", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sender_is_registered_as_the_one_ISender()
    {
        var provider = Provider(("Url", _receiver.Url));

        Assert.IsType<WebhookSender>(provider.GetRequiredService<ISender>());
        Assert.Same(provider.GetRequiredService<WebhookSender>(), provider.GetRequiredService<ISender>());
    }

    private static OutgoingMessage Message(long memberId, Channel channel) =>
        new(Campaign, memberId, channel, "contact", "Spring sale", "Everything -20% \"today\"", IdempotencyKey.For(Campaign, memberId, channel), null);

    private ISender Sender(params (string Key, string? Value)[] settings) =>
        Provider([("Url", _receiver.Url), .. settings]).GetRequiredService<ISender>();

    private ServiceProvider Provider(params (string Key, string? Value)[] settings)
    {
        // Later settings override earlier ones, as a later configuration source would.
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            values["Promotion:Senders:Webhook:" + key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPromotionWebhookSender(configuration.GetSection("Promotion:Senders:Webhook"));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    private string StartupError(params (string Key, string? Value)[] settings) =>
        Assert.Throws<OptionsValidationException>(() => Provider(settings)).Message;
}
