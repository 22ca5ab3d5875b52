namespace Promotion.Domain.Delivery;

/// <summary>How a send to one member on one channel ended.</summary>
public enum DeliveryOutcome
{
    /// <summary>The sender accepted it.</summary>
    Sent,
    /// <summary>Permanently refused, or transient errors outlasted the retries; recorded with the reason.</summary>
    Failed,
    /// <summary>Not attempted: no contact for the channel, frequency cap, and so on; recorded with the reason.</summary>
    Skipped,
}
