namespace Promotion.Engine.Delivery;

/// <summary>
/// A token bucket at <c>perSecond</c> holding at most a twentieth of a second of it, so no one-second
/// window grants more than the rate plus 5 %. The state of a campaign's <see cref="ISendLimitGrain"/>.
/// </summary>
internal sealed class SendTokenBucket(TimeProvider time)
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(5);

    private double _tokens = -1;
    private DateTimeOffset _refilledAt;

    /// <summary>A twentieth of a second of the rate, at least one token.</summary>
    public static int Capacity(int perSecond) => Math.Max(1, perSecond / 20);

    /// <summary>Up to <paramref name="wanted"/> tokens now, or none and how long until a slice's worth is back.</summary>
    public SendTokens Take(int perSecond, int wanted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        var capacity = Capacity(perSecond);
        var now = time.GetUtcNow();
        // A new bucket starts full: a twentieth, within the bound.
        _tokens = _tokens < 0 ? capacity : Math.Min(capacity, _tokens + (Math.Max(0, (now - _refilledAt).TotalSeconds) * perSecond));
        _refilledAt = now;
        var granted = (int)Math.Min(Math.Max(wanted, 1), Math.Floor(_tokens));
        if (granted > 0)
        {
            _tokens -= granted;
            return new SendTokens(granted, TimeSpan.Zero);
        }

        var slice = Math.Min(Math.Max(wanted, 1), capacity);
        var wait = TimeSpan.FromSeconds(Math.Max(slice - _tokens, 1) / perSecond);
        return new SendTokens(0, wait < MinimumWait ? MinimumWait : wait);
    }
}
