namespace Promotion.Engine.Stats;

/// <summary><c>shards</c>: the shards of open campaigns by status, from one aggregate read.</summary>
internal sealed class ShardsStatsSection(ICampaignStatsReader reader) : IStatsSection
{
    public string Name => "shards";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken) =>
        (await reader.ReadTotalsAsync(cancellationToken)).OpenShards;
}
