namespace Promotion.Infrastructure.Senders;

/// <summary>Settings of the HTTP webhook sender, bound from <c>Promotion:Senders:Webhook</c>.</summary>
public sealed class WebhookSenderOptions
{
    /// <summary>The configuration section these options are bound from, for error messages.</summary>
    public const string SectionPath = "Promotion:Senders:Webhook";

    /// <summary>Absolute http(s) URL every message is posted to, unless its channel has its own.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// Per-channel URLs keyed by wire name (app, sms, email, inbox), overriding <see cref="Url"/>
    /// for that channel.
    /// </summary>
    public IDictionary<string, string> ChannelUrls { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long one attempt may take, connecting and reading the answer included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The circuit breaker each channel's webhook has.</summary>
    public WebhookCircuitOptions CircuitBreaker { get; } = new();
}

/// <summary>
/// A channel's circuit breaker, bound from <c>Promotion:Senders:Webhook:CircuitBreaker</c>: when at
/// least <see cref="MinimumThroughput"/> calls within <see cref="SamplingDuration"/> failed
/// transiently (429, 5xx, timeout, no connection) in a share of at least <see cref="FailureRatio"/>,
/// the channel's sends fail at once for <see cref="BreakDuration"/>, then one call probes it.
/// </summary>
public sealed class WebhookCircuitOptions
{
    /// <summary>Share of failed calls that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls within the sampling window before the ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 20;

    /// <summary>The window the failure ratio is measured over.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails sends before probing again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
