using MassTransit;
using Promotion.Engine.Messaging;

namespace Promotion.Infrastructure.Messaging;

/// <summary>Sends job messages to their queues through MassTransit, a batch at a time.</summary>
internal sealed class MassTransitJobDispatcher(IBus bus, JobRoutes routes) : IJobDispatcher
{
    // Sends in a batch go out concurrently; publisher confirms are awaited together, not one by one.
    private const int BatchSize = 100;

    public async Task SendAsync<T>(IReadOnlyCollection<T> messages, CancellationToken cancellationToken)
        where T : class, IJobMessage
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        foreach (var group in messages.GroupBy(routes.QueueOf))
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + group.Key));
            foreach (var chunk in group.Chunk(BatchSize))
            {
                await endpoint.SendBatch(chunk, cancellationToken);
            }
        }
    }
}
