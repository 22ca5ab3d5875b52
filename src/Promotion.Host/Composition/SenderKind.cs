namespace Promotion.Host.Composition;

/// <summary>Which sender worker hosts use.</summary>
public enum SenderKind
{
    /// <summary>The HTTP webhook at <c>Promotion:Senders:Webhook:Url</c>.</summary>
    Webhook,
    /// <summary>In-process simulation with latency and failure rates (embedded profile, demos).</summary>
    Simulated,
}
