using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Delivery;
using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Cluster;

/// <summary>
/// Reads the silo's own counters; silos without the worker role answer zeros. Placed where the
/// caller's hint says (prefer-local placement honours it); an activation that ended up on another
/// silo answers null and goes away.
/// </summary>
[PreferLocalPlacement]
internal sealed class SiloLoadGrain(ILocalSiloDetails silo, PromotionInstruments instruments, IServiceProvider services, TimeProvider time) : Grain, ISiloLoadGrain
{
    public Task<SiloLoad?> ReadAsync()
    {
        if (this.GetPrimaryKeyString() != silo.SiloAddress.ToParsableString())
        {
            DeactivateOnIdle();
            return Task.FromResult<SiloLoad?>(null);
        }

        var now = time.GetUtcNow();
        var shards = services.GetService<ShardActivity>();
        // One caller at a time (a non-reentrant activation): the tally's snapshot expects that.
        return Task.FromResult<SiloLoad?>(new SiloLoad(
            silo.Name,
            now,
            services.GetService<PushFanOut>()?.InFlightSends ?? 0,
            shards?.Working ?? 0,
            instruments.CampaignAttempts.Snapshot(now))
        {
            Shards = shards is null ? [] : [.. shards.List(SiloLoad.ListedShards).Select(s => new WorkingShard(s.CampaignId, s.ShardNo))],
        });
    }
}
