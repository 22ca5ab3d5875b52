using Promotion.Engine.Messaging;

namespace Promotion.Infrastructure.Messaging;

/// <summary>
/// Which queue each job message type travels on, and which of them this host consumes (with
/// how many messages at once). Every message is sent point-to-point to its queue.
/// </summary>
public sealed class JobRoutes
{
    private readonly Dictionary<Type, JobRoute> _routes = [];

    /// <summary>The declared routes.</summary>
    public IReadOnlyCollection<JobRoute> All => _routes.Values;

    /// <summary>
    /// Declares that <typeparamref name="T"/> travels on <paramref name="queue"/>; when
    /// <paramref name="consume"/> is true this host takes messages from it, up to
    /// <paramref name="concurrency"/> at once, through the registered <see cref="IJobMessageHandler{T}"/>.
    /// </summary>
    public JobRoutes Route<T>(string queue, bool consume, int concurrency = 1)
        where T : class, IJobMessage
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _routes[typeof(T)] = new JobRoute(typeof(T), queue, consume, concurrency);
        return this;
    }

    /// <summary>The queue of <paramref name="messageType"/>.</summary>
    public string QueueOf(Type messageType) =>
        _routes.TryGetValue(messageType, out var r) ? r.Queue : throw new InvalidOperationException($"no queue is routed for {messageType.Name}");
}

/// <summary>One message type's queue and whether this host consumes it.</summary>
/// <param name="MessageType">The message type.</param>
/// <param name="Queue">The queue name.</param>
/// <param name="Consume">True when this host consumes the queue.</param>
/// <param name="Concurrency">Messages handled at once on this host.</param>
public sealed record JobRoute(Type MessageType, string Queue, bool Consume, int Concurrency);
