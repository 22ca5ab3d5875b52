namespace Promotion.Engine.Messaging;

/// <summary>
/// Port: puts job messages on the broker (RabbitMQ through MassTransit, or MassTransit's
/// in-memory transport). Each message type has its own queue; a batch travels without one
/// awaited round trip per message.
/// </summary>
public interface IJobDispatcher
{
    /// <summary>Sends <paramref name="messages"/> to the queue of <typeparamref name="T"/>, in batches.</summary>
    Task SendAsync<T>(IReadOnlyCollection<T> messages, CancellationToken cancellationToken)
        where T : class, IJobMessage;
}
