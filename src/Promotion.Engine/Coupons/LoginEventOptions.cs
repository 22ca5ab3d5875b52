namespace Promotion.Engine.Coupons;

/// <summary>How login events travel to the issuer; bound from <c>Promotion:LoginEvents</c>.</summary>
public sealed class LoginEventOptions
{
    /// <summary>
    /// Partitions of the login-event stream: queues on the broker, and subscriber grains deciding
    /// them one batch at a time each. Every host of a cluster must use the same number.
    /// </summary>
    public int Partitions { get; set; } = 8;

    /// <summary>
    /// How long the delivery of a batch that keeps failing (Redis or PostgreSQL unreachable) is
    /// retried, with backoff, before the batch moves to the dead-letter queue and the partition
    /// goes on: keep it longer than the outages to ride out.
    /// </summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often an idle partition's pulling agent looks for new messages (the floor of the latency).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(10);
}
