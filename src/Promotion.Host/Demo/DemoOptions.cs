namespace Promotion.Host.Demo;

/// <summary>Demo data of the embedded profile, bound from <c>Promotion:Demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>Synthetic members generated on start (ids 1..N).</summary>
    public int Members { get; set; } = 20_000;

    /// <summary>Start a demo campaign to everyone once the host is up, so the dashboard shows work.</summary>
    public bool Campaign { get; set; } = true;
}
