using Promotion.Engine.Campaigns;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Contracts;

public sealed class InMemoryCampaignStoreTests : CampaignStoreContract
{
    private readonly InMemoryCampaignStore _store;

    // Built in the constructor body: the contract's clock exists only once the base constructor ran.
    public InMemoryCampaignStoreTests() => _store = new InMemoryCampaignStore();

    protected override ICampaignStore Campaigns => _store;

    protected override IShardStore Shards => _store;
}
