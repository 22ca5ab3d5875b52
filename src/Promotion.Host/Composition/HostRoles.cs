namespace Promotion.Host.Composition;

/// <summary>The roles one host process plays; all three by default.</summary>
[Flags]
public enum HostRoles
{
    /// <summary>No role.</summary>
    None = 0,
    /// <summary>Admin API, event ingestion and dashboard.</summary>
    Api = 1,
    /// <summary>Planner, shard workers and coupon issuer.</summary>
    Worker = 2,
    /// <summary>The durable cluster-wide schedules.</summary>
    Scheduler = 4,
    /// <summary>All of them.</summary>
    All = Api | Worker | Scheduler,
}
