namespace Promotion.Engine.Delivery;

/// <summary>
/// Port: a third-party sender (SMS, email, app push gateway) behind one call per member and
/// channel. Implementations map their errors to <see cref="SendResult"/>; the fan-out retries
/// transient ones.
/// </summary>
public interface ISender
{
    /// <summary>Sends one message.</summary>
    Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
