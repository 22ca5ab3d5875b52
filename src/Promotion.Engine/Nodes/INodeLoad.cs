namespace Promotion.Engine.Nodes;

/// <summary>What this host is doing right now, reported on its heartbeat.</summary>
public interface INodeLoad
{
    /// <summary>Sends in flight.</summary>
    int InFlightSends { get; }

    /// <summary>Shard leases held.</summary>
    int ShardsHeld { get; }
}
