namespace Promotion.Engine.Messaging;

/// <summary>
/// Handles one job message taken from the broker. Throwing means "retry later"; the transport
/// retries a bounded number of times and then moves the message to an error queue.
/// </summary>
public interface IJobMessageHandler<in T>
    where T : class, IJobMessage
{
    /// <summary>Handles <paramref name="message"/>.</summary>
    Task HandleAsync(T message, CancellationToken cancellationToken);
}
