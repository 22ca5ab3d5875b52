namespace Promotion.Engine.Nodes;

/// <summary>This host's identity: its node id and roles, fixed for the life of the process.</summary>
public sealed class NodeIdentity
{
    /// <summary>Creates the identity.</summary>
    public NodeIdentity(string nodeId, IReadOnlyList<string> roles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        NodeId = nodeId;
        Roles = roles;
    }

    /// <summary>Unique per process: machine name, process id and a random suffix.</summary>
    public string NodeId { get; }

    /// <summary>api, worker and/or scheduler.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>True when this host plays <paramref name="role"/>.</summary>
    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>A fresh identity for this process.</summary>
    public static NodeIdentity ForThisProcess(IReadOnlyList<string> roles) =>
        new($"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}", roles);
}
