namespace Promotion.Infrastructure.Streams;

/// <summary>The broker under the login-event stream; bound from <c>Promotion:LoginEvents</c>.</summary>
public sealed class LoginEventStreamOptions
{
    /// <summary><c>RabbitMq</c> (default) or <c>ServiceBus</c>.</summary>
    public LoginEventTransportKind Transport { get; set; } = LoginEventTransportKind.RabbitMq;

    /// <summary>Messages (of up to 1,000 events) a partition's consumer holds unacknowledged at most.</summary>
    public int Prefetch { get; set; } = 32;
}

/// <summary>Which broker carries the login-event partitions in the distributed profile.</summary>
public enum LoginEventTransportKind
{
    /// <summary>RabbitMQ (<c>ConnectionStrings:RabbitMq</c>).</summary>
    RabbitMq,

    /// <summary>Azure Service Bus (<c>ConnectionStrings:ServiceBus</c>).</summary>
    ServiceBus,
}
