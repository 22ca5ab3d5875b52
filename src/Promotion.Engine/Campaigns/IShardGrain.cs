using System.Globalization;
using Orleans;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// One shard of a campaign (key: campaign id and shard number), worked in a background loop of its
/// activation: keyset pages, each handed to the silo's push grain, a fenced checkpoint per page,
/// progress reported to the campaign. No call waits for the shard's work.
/// </summary>
[Alias("promotion.shard")]
public interface IShardGrain : IGrainWithGuidCompoundKey
{
    /// <summary>
    /// The campaign changed or wants the shard going: the shard reads the campaign's status afresh at
    /// once (it also stops waiting for a slot) and works, pauses, ends cancelled or stays idle as that
    /// status says. Starts the loop when it is not running, e.g. in a new activation after a silo died.
    /// </summary>
    [Alias("wake")]
    Task WakeAsync();
}

/// <summary>Addresses shard grains.</summary>
public static class ShardGrains
{
    /// <summary>The grain of <paramref name="shard"/>.</summary>
    public static IShardGrain For(IGrainFactory grains, ShardRef shard)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IShardGrain>(shard.CampaignId, shard.ShardNo.ToString(CultureInfo.InvariantCulture));
    }
}
