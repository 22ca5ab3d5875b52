using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>A member a campaign failed to reach on a channel, and why.</summary>
public sealed record SendFailure(long MemberId, Channel Channel, string Reason, DateTimeOffset At);

/// <summary>How many members ended with <see cref="Outcome"/> for <see cref="Reason"/> (failures and skips by reason).</summary>
public sealed record ReasonCount(DeliveryOutcome Outcome, string Reason, long Count);
