namespace Promotion.Host.Composition;

/// <summary>Which adapters the host runs on.</summary>
public enum HostProfile
{
    /// <summary>No servers: MassTransit in-memory transport, in-process stores, simulated sender, demo data.</summary>
    Embedded,
    /// <summary>PostgreSQL, RabbitMQ and Redis from <c>ConnectionStrings</c>.</summary>
    Distributed,
}
