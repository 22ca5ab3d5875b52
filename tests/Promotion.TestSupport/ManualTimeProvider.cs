namespace Promotion.TestSupport;

/// <summary>
/// A clock that moves only when told (Microsoft.Extensions.TimeProvider.Testing does not restore
/// from the registry here, so this is the small piece the tests need).
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
