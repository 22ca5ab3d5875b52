using Orleans;

namespace Promotion.Engine.Cluster;

/// <summary>
/// Asks one silo what it is doing right now (key: the silo's address). <see cref="ClusterLoad"/>
/// places each silo's grain on that silo with a placement hint.
/// </summary>
[Alias("promotion.silo-load")]
public interface ISiloLoadGrain : IGrainWithStringKey
{
    /// <summary>This silo's load; null when the activation is not on the silo its key names.</summary>
    [Alias("read")]
    Task<SiloLoad?> ReadAsync();
}

/// <summary>What a silo is doing: its sends in flight, the shards it works and its sender calls per campaign since it started.</summary>
/// <param name="SiloName">The silo (the host's node id).</param>
/// <param name="At">When it answered.</param>
/// <param name="InFlightSends">Sends holding an in-flight slot.</param>
/// <param name="ShardsWorking">Shards it is working.</param>
/// <param name="SendAttempts">Sender calls per campaign it made lately (see <see cref="Diagnostics.CampaignSendTally"/>).</param>
[GenerateSerializer, Alias("promotion.silo-load-report")]
public sealed record SiloLoad(
    [property: Id(0)] string SiloName,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] int InFlightSends,
    [property: Id(3)] int ShardsWorking,
    [property: Id(4)] IReadOnlyDictionary<Guid, long> SendAttempts)
{
    /// <summary>The most shards a silo lists by name; <see cref="ShardsWorking"/> counts them all.</summary>
    public const int ListedShards = 50;

    /// <summary>Up to <see cref="ListedShards"/> of the shards it works, as (campaign, shard number).</summary>
    [Id(5)]
    public IReadOnlyList<WorkingShard> Shards { get; init; } = [];
}

/// <summary>One shard a silo is working.</summary>
/// <param name="CampaignId">Its campaign.</param>
/// <param name="ShardNo">Its number.</param>
[GenerateSerializer, Alias("promotion.working-shard")]
public readonly record struct WorkingShard([property: Id(0)] Guid CampaignId, [property: Id(1)] int ShardNo);
