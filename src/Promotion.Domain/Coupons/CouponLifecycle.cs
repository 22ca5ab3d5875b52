using System.Globalization;
using Promotion.Domain.Campaigns;

namespace Promotion.Domain.Coupons;

/// <summary>
/// The one place that says which coupon status changes are legal: Issued -> Claimed -> Redeemed,
/// and Issued or Claimed -> Expired once the campaign's validTo has passed. Claiming a claimed
/// coupon and redeeming a redeemed one with the same order are allowed and change nothing, so
/// clients may retry. Expiry is not written when validTo passes (that would be millions of
/// updates at once); a stored Issued or Claimed coupon simply reads as Expired afterwards.
/// </summary>
public static class CouponLifecycle
{
    private static readonly Dictionary<(CouponStatus, CouponTrigger), CouponStatus> Moves = new()
    {
        [(CouponStatus.Issued, CouponTrigger.Claim)] = CouponStatus.Claimed,
        [(CouponStatus.Claimed, CouponTrigger.Claim)] = CouponStatus.Claimed,
        [(CouponStatus.Claimed, CouponTrigger.Redeem)] = CouponStatus.Redeemed,
        [(CouponStatus.Redeemed, CouponTrigger.Redeem)] = CouponStatus.Redeemed,
        // Issued and Claimed read as Expired from validTo on (see Effective), so expiring one
        // that is due starts here and is a change to store; one not yet due is refused.
        [(CouponStatus.Expired, CouponTrigger.Expire)] = CouponStatus.Expired,
    };

    /// <summary>Longest accepted order id.</summary>
    public const int MaxOrderIdLength = 100;

    /// <summary>
    /// The status a coupon stored as <paramref name="stored"/> has at <paramref name="now"/>: Issued and
    /// Claimed coupons are Expired from <paramref name="validTo"/> on (the window is [validFrom, validTo)).
    /// </summary>
    public static CouponStatus Effective(CouponStatus stored, DateTimeOffset validTo, DateTimeOffset now) =>
        stored is CouponStatus.Issued or CouponStatus.Claimed && now >= validTo ? CouponStatus.Expired : stored;

    /// <summary>
    /// Applies <paramref name="trigger"/> to a coupon stored as <paramref name="stored"/> (redeemed with
    /// <paramref name="redeemedOrderId"/>, if any): the status it leads to, and whether that is a change
    /// to store (false for a repeated claim or redeem).
    /// </summary>
    /// <param name="stored">The stored status.</param>
    /// <param name="redeemedOrderId">The order the coupon was redeemed with, when it was.</param>
    /// <param name="trigger">What happens.</param>
    /// <param name="orderId">For <see cref="CouponTrigger.Redeem"/>: the order it is used on.</param>
    /// <param name="validTo">End of the campaign's window.</param>
    /// <param name="now">Current time.</param>
    /// <exception cref="IllegalTransitionException">The change is not allowed; the message says why in the member's terms.</exception>
    public static (CouponStatus To, bool Changed) Apply(
        CouponStatus stored, string? redeemedOrderId, CouponTrigger trigger, string? orderId, DateTimeOffset validTo, DateTimeOffset now)
    {
        var from = Effective(stored, validTo, now);
        if (trigger == CouponTrigger.Redeem && string.IsNullOrWhiteSpace(orderId))
        {
            throw new ArgumentException("an order id is required to redeem a coupon", nameof(orderId));
        }

        if (!Moves.TryGetValue((from, trigger), out var to))
        {
            throw new IllegalTransitionException(Refusal(from, trigger, validTo));
        }

        if (from == CouponStatus.Redeemed && trigger == CouponTrigger.Redeem && !string.Equals(redeemedOrderId, orderId, StringComparison.Ordinal))
        {
            throw new IllegalTransitionException($"cannot redeem a coupon that was already redeemed with order '{redeemedOrderId}'");
        }

        return (to, to != stored);
    }

    /// <summary>True when <paramref name="trigger"/> is allowed from <paramref name="from"/> (order ids aside).</summary>
    public static bool Allows(CouponStatus from, CouponTrigger trigger) => Moves.ContainsKey((from, trigger));

    /// <summary>True for statuses no trigger leaves.</summary>
    public static bool IsTerminal(CouponStatus status) => status is CouponStatus.Redeemed or CouponStatus.Expired;

    private static string Refusal(CouponStatus from, CouponTrigger trigger, DateTimeOffset validTo) => (from, trigger) switch
    {
        (CouponStatus.Expired, CouponTrigger.Claim or CouponTrigger.Redeem) =>
            $"cannot {Verb(trigger)} a coupon that expired at {validTo.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}",
        (CouponStatus.Issued, CouponTrigger.Redeem) => "cannot redeem a coupon that is Issued; claim it first",
        (CouponStatus.Redeemed, CouponTrigger.Claim) => "cannot claim a coupon that is Redeemed",
        (CouponStatus.Redeemed, CouponTrigger.Expire) => "cannot expire a coupon that is Redeemed",
        (_, CouponTrigger.Expire) => $"cannot expire a coupon before its campaign ends at {validTo.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}",
        _ => $"cannot {Verb(trigger)} a coupon that is {from}",
    };

    private static string Verb(CouponTrigger trigger) => trigger switch
    {
        CouponTrigger.Claim => "claim",
        CouponTrigger.Redeem => "redeem",
        _ => "expire",
    };
}
