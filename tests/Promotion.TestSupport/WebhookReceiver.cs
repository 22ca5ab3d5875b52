using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Promotion.TestSupport;

/// <summary>One request the receiver answered with 200.</summary>
public readonly record struct WebhookArrival(Guid CampaignId, long MemberId, string Channel, string Path, DateTimeOffset At);

/// <summary>The last request the receiver read, as it arrived on the wire.</summary>
public sealed record WebhookRequest(string Method, string Path, string? IdempotencyKeyHeader, string? ContentType, string Body);

/// <summary>
/// A loopback HTTP server standing in for a third-party sender (the sender webhook contract of
/// design.md section 5), for tests and benchmarks. Failures are deterministic by idempotency key:
/// a key hit by <see cref="PermanentFailureRate"/> is always answered 400, a key hit by
/// <see cref="TransientFailureRate"/> is answered 503 on its first <see cref="TransientAttempts"/>
/// attempts and 200 afterwards. Every property may be changed while it runs.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private const ulong PermanentSalt = 0xC0FFEE_01;
    private const ulong TransientSalt = 0xC0FFEE_02;

    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _attemptsByKey = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private string? _url;
    private long _attempts;
    private long _latencyTicks;
    private WebhookRequest? _lastRequest;

    public WebhookReceiver(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Base address ("http://127.0.0.1:port/"), known after <see cref="StartAsync"/>.</summary>
    public string Url => _url ?? throw new InvalidOperationException("not started");

    /// <summary>How long each request waits before it is answered.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>Share of idempotency keys answered 503 on their first <see cref="TransientAttempts"/> attempts.</summary>
    public double TransientFailureRate { get; set; }

    /// <summary>How many first attempts of a transiently failing key are answered 503.</summary>
    public int TransientAttempts { get; set; } = 1;

    /// <summary>Share of idempotency keys always answered 400 with a reason in the body.</summary>
    public double PermanentFailureRate { get; set; }

    /// <summary>When set, every well-formed request is answered with this status (after the latency).</summary>
    public HttpStatusCode? ForcedStatus { get; set; }

    /// <summary>Paths (e.g. "/sms") whose every well-formed request is answered 503: a channel's gateway that is down.</summary>
    public ConcurrentDictionary<string, bool> FailingPaths { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request that arrived, per path.</summary>
    public ConcurrentDictionary<string, int> AttemptsByPath { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests answered 200, per idempotency key (a count above 1 is a duplicate send).</summary>
    public ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request that arrived, whatever it was answered.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Requests answered 200, per Unix second of arrival (for rate checks).</summary>
    public ConcurrentDictionary<long, int> AcceptedPerSecond { get; } = new();

    /// <summary>Every request that arrived, per Unix second of arrival (the engine's limit applies to attempts).</summary>
    public ConcurrentDictionary<long, int> AttemptsPerSecond { get; } = new();

    /// <summary>Requests answered 200, in order of arrival.</summary>
    public ConcurrentQueue<WebhookArrival> Arrivals { get; } = new();

    /// <summary>The most recent request read, body and headers as received.</summary>
    public WebhookRequest? LastRequest => Volatile.Read(ref _lastRequest);

    /// <summary>Total requests answered 200.</summary>
    public long AcceptedCount => Received.Values.Sum(n => (long)n);

    /// <summary>The address for <paramref name="path"/> on this receiver (e.g. "sms").</summary>
    public string UrlFor(string path) => Url + path.TrimStart('/');

    /// <summary>Whether <paramref name="idempotencyKey"/> is one the receiver always rejects.</summary>
    public bool FailsPermanently(string idempotencyKey) => Hits(idempotencyKey, PermanentSalt, PermanentFailureRate);

    /// <summary>Whether <paramref name="idempotencyKey"/> is one the receiver rejects with 503 at first.</summary>
    public bool FailsTransiently(string idempotencyKey) => Hits(idempotencyKey, TransientSalt, TransientFailureRate);

    public async Task StartAsync()
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("already started");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        // Thousands of senders connecting at once overflow Kestrel's default accept backlog (512):
        // the kernel falls back to SYN cookies and some connects stall for seconds.
        builder.WebHost.UseSockets(o => o.Backlog = 8192);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
        var bound = new Uri(app.Urls.Single());
        _url = $"http://127.0.0.1:{bound.Port}/";
    }

    public async ValueTask DisposeAsync()
    {
        // Requests waiting out their latency give up first, so stopping does not wait for them.
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var at = _time.GetUtcNow();
        var second = at.ToUnixTimeSeconds();
        Interlocked.Increment(ref _attempts);
        AttemptsPerSecond.AddOrUpdate(second, 1, static (_, n) => n + 1);

        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var header = request.Headers["Idempotency-Key"].ToString();
        Volatile.Write(ref _lastRequest, new WebhookRequest(request.Method, request.Path.Value ?? "/", header.Length == 0 ? null : header, request.ContentType, body));
        if (!HttpMethods.IsPost(request.Method))
        {
            await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, "POST only");
            return;
        }

        if (!TryParse(body, out var campaignId, out var memberId, out var channel, out var bodyKey, out var error))
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, "malformed message: " + error);
            return;
        }

        var key = header.Length > 0 ? header : bodyKey;
        var latency = Latency;
        if (latency > TimeSpan.Zero)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(latency, _time, waiting.Token);
            }
            catch (OperationCanceledException)
            {
                // The caller gave up (its timeout or cancellation) or the receiver is stopping.
                context.Abort();
                return;
            }
        }

        var attempt = _attemptsByKey.AddOrUpdate(key, 1, static (_, n) => n + 1);
        var path = request.Path.Value ?? "/";
        AttemptsByPath.AddOrUpdate(path, 1, static (_, n) => n + 1);
        if (FailingPaths.ContainsKey(path))
        {
            await AnswerAsync(context, StatusCodes.Status503ServiceUnavailable, "gateway down");
            return;
        }

        if (ForcedStatus is { } forced)
        {
            await AnswerAsync(context, (int)forced, "forced status " + (int)forced);
            return;
        }

        if (FailsPermanently(key))
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, "recipient rejected: simulated permanent failure for " + key);
            return;
        }

        if (FailsTransiently(key) && attempt <= TransientAttempts)
        {
            await AnswerAsync(context, StatusCodes.Status503ServiceUnavailable, "simulated transient failure");
            return;
        }

        Received.AddOrUpdate(key, 1, static (_, n) => n + 1);
        AcceptedPerSecond.AddOrUpdate(second, 1, static (_, n) => n + 1);
        Arrivals.Enqueue(new WebhookArrival(campaignId, memberId, channel, request.Path.Value ?? "/", at));
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static Task AnswerAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static bool TryParse(string body, out Guid campaignId, out long memberId, out string channel, out string key, out string error)
    {
        campaignId = default;
        memberId = default;
        channel = key = error = "";
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("campaignId", out var c) || !c.TryGetGuid(out campaignId))
            {
                error = "campaignId missing or not a GUID";
                return false;
            }

            if (!root.TryGetProperty("memberId", out var m) || m.ValueKind != JsonValueKind.Number || !m.TryGetInt64(out memberId))
            {
                error = "memberId missing or not an integer";
                return false;
            }

            if (!root.TryGetProperty("channel", out var ch) || ch.GetString() is not { Length: > 0 } channelName)
            {
                error = "channel missing";
                return false;
            }

            if (!root.TryGetProperty("idempotencyKey", out var k) || k.GetString() is not { Length: > 0 } keyValue)
            {
                error = "idempotencyKey missing";
                return false;
            }

            channel = channelName;
            key = keyValue;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = ex.Message;
            return false;
        }
    }

    // Independent of the sender's hash on purpose: the receiver decides for itself, as a real one would.
    private static bool Hits(string key, ulong salt, double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        var hash = 14695981039346656037UL ^ salt;
        foreach (var ch in key)
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53UL;
        hash ^= hash >> 33;
        return (hash >> 11) * (1.0 / (1UL << 53)) < rate;
    }
}
