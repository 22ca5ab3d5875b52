using Promotion.Engine.Messaging;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Login events as they travel to the coupon issuer: one HTTP ingestion request, or one message
/// an outside producer published (at most <see cref="Domain.Coupons.LoginEventRules.MaxBatch"/> events).
/// </summary>
/// <param name="Events">The logins, in any order; repeats are harmless.</param>
public sealed record LoginEventBatch(IReadOnlyList<LoginEvent> Events) : IJobMessage;

/// <summary>One login.</summary>
/// <param name="MemberId">The member who logged in.</param>
/// <param name="At">When; decides the coupon campaigns' windows.</param>
public sealed record LoginEvent(long MemberId, DateTimeOffset At);
