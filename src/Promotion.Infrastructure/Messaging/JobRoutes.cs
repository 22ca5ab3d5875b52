using Promotion.Engine.Messaging;

namespace Promotion.Infrastructure.Messaging;

/// <summary>
/// Which queue each job message type travels on (or, for a type split by a property such as
/// priority, which queues), and which of them this host consumes, with how many messages at
/// once. Every message is sent point-to-point to its queue.
/// </summary>
public sealed class JobRoutes
{
    private readonly Dictionary<Type, JobRoute> _routes = [];
    private readonly Dictionary<Type, JobRouteOptions> _options = [];

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
        return RouteBy<T>([queue], _ => queue, consume, concurrency);
    }

    /// <summary>
    /// Declares that <typeparamref name="T"/> travels on one of <paramref name="queues"/>, chosen per
    /// message by <paramref name="select"/>; a consuming host takes from every one of them, up to
    /// <paramref name="concurrency"/> at once per queue.
    /// </summary>
    public JobRoutes RouteBy<T>(IReadOnlyList<string> queues, Func<T, string> select, bool consume, int concurrency = 1)
        where T : class, IJobMessage
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(select);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        if (queues.Count == 0 || queues.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("name at least one queue, none blank", nameof(queues));
        }

        _routes[typeof(T)] = new JobRoute(typeof(T), queues, m => select((T)m), consume, concurrency);
        return this;
    }

    /// <summary>Gives the consumers of <typeparamref name="T"/> a retry window or plain JSON input (see <see cref="JobRouteOptions"/>).</summary>
    public JobRoutes Configure<T>(JobRouteOptions options)
        where T : class, IJobMessage
    {
        ArgumentNullException.ThrowIfNull(options);
        _options[typeof(T)] = options;
        return this;
    }

    /// <summary>The options of <paramref name="messageType"/>'s consumers (the defaults unless configured).</summary>
    public JobRouteOptions OptionsOf(Type messageType) => _options.GetValueOrDefault(messageType, JobRouteOptions.Default);

    /// <summary>The queue <paramref name="message"/> goes to.</summary>
    public string QueueOf<T>(T message)
        where T : class, IJobMessage =>
        _routes.TryGetValue(typeof(T), out var r) ? r.Select(message) : throw new InvalidOperationException($"no queue is routed for {typeof(T).Name}");
}

/// <summary>One message type's queues and whether this host consumes them.</summary>
/// <param name="MessageType">The message type.</param>
/// <param name="Queues">Every queue the type may travel on.</param>
/// <param name="Select">Picks the queue of one message.</param>
/// <param name="Consume">True when this host consumes the queues.</param>
/// <param name="Concurrency">Messages handled at once on this host, per queue.</param>
public sealed record JobRoute(Type MessageType, IReadOnlyList<string> Queues, Func<object, string> Select, bool Consume, int Concurrency);
