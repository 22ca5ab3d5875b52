namespace Promotion.Infrastructure.Senders;

/// <summary>Settings of the simulated sender, bound from <c>Promotion:Senders:Simulated</c>.</summary>
public sealed class SimulatedSenderOptions
{
    /// <summary>The configuration section these options are bound from, for error messages.</summary>
    public const string SectionPath = "Promotion:Senders:Simulated";

    /// <summary>How long each simulated call takes.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Share of attempts answered as a transient failure (a retry may succeed).</summary>
    public double TransientFailureRate { get; set; } = 0.02;

    /// <summary>Share of member-channels (idempotency keys) that always fail permanently.</summary>
    public double PermanentFailureRate { get; set; } = 0.005;
}
