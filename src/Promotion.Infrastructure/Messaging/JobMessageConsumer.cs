using MassTransit;
using Promotion.Engine.Messaging;

namespace Promotion.Infrastructure.Messaging;

/// <summary>Adapts a MassTransit delivery to the engine's transport-free <see cref="IJobMessageHandler{T}"/>.</summary>
internal sealed class JobMessageConsumer<T>(IJobMessageHandler<T> handler) : IConsumer<T>
    where T : class, IJobMessage
{
    public Task Consume(ConsumeContext<T> context) => handler.HandleAsync(context.Message, context.CancellationToken);
}
