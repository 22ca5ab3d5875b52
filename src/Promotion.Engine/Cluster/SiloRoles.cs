namespace Promotion.Engine.Cluster;

/// <summary>
/// The roles a host (an Orleans silo) plays. A grain class marked with <see cref="SiloRoleAttribute"/>
/// is registered only on silos with that role, so Orleans places its activations only there.
/// </summary>
public static class SiloRoles
{
    /// <summary>Admin API, event ingestion and dashboards.</summary>
    public const string Api = "api";

    /// <summary>Shard, push and coupon work.</summary>
    public const string Worker = "worker";

    /// <summary>Hot-goods schedules.</summary>
    public const string Scheduler = "scheduler";

    /// <summary>The silo metadata key under which a silo publishes its roles (comma list).</summary>
    public const string MetadataKey = "promotion.roles";
}

/// <summary>Hosts this grain class only on silos that play <see cref="Role"/>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class SiloRoleAttribute(string role) : Attribute
{
    /// <summary>One of <see cref="SiloRoles"/>.</summary>
    public string Role { get; } = role;
}
