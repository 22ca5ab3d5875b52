namespace Promotion.Engine.Delivery;

/// <summary>What a sender said.</summary>
public enum SendStatus
{
    /// <summary>Accepted.</summary>
    Sent,
    /// <summary>Worth retrying later (429, 5xx, timeout, connection refused).</summary>
    TransientFailure,
    /// <summary>Will never succeed as is (other 4xx).</summary>
    PermanentFailure,
}

/// <summary>The result of one send attempt.</summary>
/// <param name="Status">Outcome.</param>
/// <param name="Reason">Why it failed; null when sent.</param>
public readonly record struct SendResult(SendStatus Status, string? Reason)
{
    /// <summary>Accepted.</summary>
    public static SendResult Sent { get; } = new(SendStatus.Sent, null);

    /// <summary>A failure worth retrying.</summary>
    public static SendResult Transient(string reason) => new(SendStatus.TransientFailure, reason);

    /// <summary>A failure not worth retrying.</summary>
    public static SendResult Permanent(string reason) => new(SendStatus.PermanentFailure, reason);
}
