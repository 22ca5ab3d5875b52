using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// On worker silos: when a silo dies, tells every running campaign, so the shards that silo ran are
/// started again from their checkpoints within seconds. It also brings back a campaign whose own
/// grain lived on that silo: nothing else would call it once its last live shard has ended.
/// </summary>
internal sealed class CampaignKeeper(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    ICampaignStore campaigns,
    TimeProvider time,
    ILogger<CampaignKeeper> logger) : SiloDeathWaker(membership, silo, time, logger)
{
    private const int PageSize = 500;

    protected override string Kind => "running campaigns";

    protected override async Task<IReadOnlyList<Guid>> ListAsync(CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        for (var page = 1; ; page++)
        {
            var found = await campaigns.ListAsync(new CampaignQuery(null, CampaignStatus.Running, page, PageSize), cancellationToken);
            ids.AddRange(found.Items.Select(c => c.Id));
            if (found.Items.Count < PageSize)
            {
                return ids;
            }
        }
    }

    protected override Task WakeAsync(Guid id) => grains.GetGrain<ICampaignGrain>(id).SiloLeftAsync();
}
