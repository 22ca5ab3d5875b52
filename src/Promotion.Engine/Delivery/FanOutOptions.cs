namespace Promotion.Engine.Delivery;

/// <summary>Push fan-out settings, bound from <c>Promotion:FanOut</c>.</summary>
public sealed class FanOutOptions
{
    /// <summary>Sends in flight on one host at most (shared by all its shards).</summary>
    public int InFlightWindow { get; set; } = 1_000;

    /// <summary>Attempts per send, the first included, before a transient error counts as failed.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}
