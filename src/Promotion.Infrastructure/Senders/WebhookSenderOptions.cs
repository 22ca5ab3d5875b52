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
}
