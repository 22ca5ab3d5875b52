namespace Promotion.Domain.Delivery;

/// <summary>Folds a member's per-channel outcomes into the one outcome the campaign counts.</summary>
public static class MemberOutcome
{
    /// <summary>
    /// Failed if any channel failed (the report lists it, retry-failed resends it); otherwise sent
    /// if any channel was sent; otherwise skipped. So sent + failed + skipped = members.
    /// </summary>
    public static DeliveryOutcome Combine(IEnumerable<DeliveryOutcome> channelOutcomes)
    {
        ArgumentNullException.ThrowIfNull(channelOutcomes);
        var sent = false;
        foreach (var o in channelOutcomes)
        {
            if (o == DeliveryOutcome.Failed)
            {
                return DeliveryOutcome.Failed;
            }

            sent |= o == DeliveryOutcome.Sent;
        }

        return sent ? DeliveryOutcome.Sent : DeliveryOutcome.Skipped;
    }
}
