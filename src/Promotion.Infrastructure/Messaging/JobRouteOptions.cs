namespace Promotion.Infrastructure.Messaging;

/// <summary>How one route's consumers treat its messages beyond the defaults (see <see cref="JobRoutes.Configure{T}"/>).</summary>
/// <param name="RetryFor">
/// How long a failing message is retried, with backoff growing to 5 s, before it moves to the
/// error queue; null for the default (5 retries within about 20 s). A queue fed by a server that
/// may be down for a while (Redis for login events) needs a window longer than the outage.
/// </param>
/// <param name="AcceptPlainJson">
/// Also read plain JSON bodies (content type <c>application/json</c>, or none) as the route's
/// message type, for producers outside the engine that do not speak MassTransit's envelope.
/// </param>
public sealed record JobRouteOptions(TimeSpan? RetryFor = null, bool AcceptPlainJson = false)
{
    /// <summary>The defaults.</summary>
    public static JobRouteOptions Default { get; } = new();

    /// <summary>Backoff intervals for <see cref="RetryFor"/>: 200 ms doubling up to 5 s, until they add up to the window.</summary>
    public IReadOnlyList<TimeSpan> RetryIntervals()
    {
        var intervals = new List<TimeSpan>();
        if (RetryFor is not { } window)
        {
            return intervals;
        }

        var next = TimeSpan.FromMilliseconds(200);
        var total = TimeSpan.Zero;
        while (total < window)
        {
            intervals.Add(next);
            total += next;
            next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }

        return intervals;
    }
}
