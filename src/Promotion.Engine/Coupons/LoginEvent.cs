namespace Promotion.Engine.Coupons;

/// <summary>
/// One login, as it travels on the login-event stream to the partition's subscriber grain.
/// </summary>
/// <param name="MemberId">The member who logged in.</param>
/// <param name="At">When; decides the coupon campaigns' windows.</param>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the publish that queued it (null when untraced), so its coupon
/// decision joins the trace of the request that accepted it. On a broker it travels as the
/// message's <c>traceparent</c> header, not in the body.
/// </param>
[GenerateSerializer, Alias("promotion.login-event")]
public sealed record LoginEvent([property: Id(0)] long MemberId, [property: Id(1)] DateTimeOffset At, [property: Id(2)] string? TraceParent = null);
