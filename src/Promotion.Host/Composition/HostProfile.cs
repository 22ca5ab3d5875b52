namespace Promotion.Host.Composition;

/// <summary>Which adapters the host runs on.</summary>
public enum HostProfile
{
    /// <summary>No servers: Orleans memory streams for login events, in-process stores, simulated sender, demo data.</summary>
    Embedded,
    /// <summary>PostgreSQL, Redis and RabbitMQ (or Azure Service Bus for login events) from <c>ConnectionStrings</c>.</summary>
    Distributed,
}
