namespace Promotion.Host.Demo;

/// <summary>Demo data of the embedded profile, bound from <c>Promotion:Demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>Synthetic members generated on start (ids 1..N).</summary>
    public int Members { get; set; } = 20_000;
}
