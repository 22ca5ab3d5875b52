using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Stats;

public sealed class InMemoryCampaignStatsTests : CampaignStatsContract
{
    private readonly InMemoryCampaignStore _store;

    public InMemoryCampaignStatsTests() => _store = new InMemoryCampaignStore();

    protected override ICampaignStore Campaigns => _store;

    protected override IShardStore Shards => _store;

    protected override ICampaignStatsReader Stats => _store;
}
