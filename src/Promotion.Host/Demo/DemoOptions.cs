namespace Promotion.Host.Demo;

/// <summary>Demo data of the embedded profile, bound from <c>Promotion:Demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>Synthetic members generated on start (ids 1..N).</summary>
    public int Members { get; set; } = 20_000;

    /// <summary>
    /// Start the demo jobs once the host is up, so the dashboard shows work: a push campaign to
    /// everyone, a coupon campaign and a hot-goods schedule firing every minute.
    /// </summary>
    public bool Campaign { get; set; } = true;

    /// <summary>Simulated member logins a second while the demo jobs run (0: none), for the coupon campaign.</summary>
    public int LoginsPerSecond { get; set; } = 20;
}
