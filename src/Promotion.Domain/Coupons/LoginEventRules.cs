namespace Promotion.Domain.Coupons;

/// <summary>What a login event must look like, wherever it comes from (HTTP or the broker).</summary>
public static class LoginEventRules
{
    /// <summary>Most events in one batch (one HTTP request, one broker message).</summary>
    public const int MaxBatch = 1_000;

    /// <summary>The problem with one event as (field, message naming the field), or null when it is well formed.</summary>
    public static (string Field, string Message)? Problem(long memberId, DateTimeOffset at) =>
        memberId <= 0 ? ("memberId", "memberId must be a positive integer")
        : at == default ? ("at", "at is required (an ISO 8601 time with an offset, e.g. 2026-05-01T12:00:00Z)")
        : null;
}
