namespace Promotion.Engine.Coupons;

/// <summary>
/// One login, as it travels on the login-event stream to the partition's subscriber grain.
/// </summary>
/// <param name="MemberId">The member who logged in.</param>
/// <param name="At">When; decides the coupon campaigns' windows.</param>
[GenerateSerializer, Alias("promotion.login-event")]
public sealed record LoginEvent([property: Id(0)] long MemberId, [property: Id(1)] DateTimeOffset At);
