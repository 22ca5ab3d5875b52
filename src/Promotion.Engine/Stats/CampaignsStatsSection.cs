namespace Promotion.Engine.Stats;

/// <summary>
/// <c>campaigns</c>: counts by status, the open campaigns' audience and progress, cluster-wide
/// rates, and the current rates and time left of each open campaign the sampler tracks (for the
/// progress bars of whatever page of the list the dashboard shows).
/// </summary>
internal sealed class CampaignsStatsSection(ICampaignStatsReader reader, ThroughputSampler sampler) : IStatsSection
{
    public string Name => "campaigns";

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var totals = await reader.ReadTotalsAsync(cancellationToken);
        var latest = sampler.Latest;
        return new
        {
            total = totals.ByStatus.Values.Sum(),
            byStatus = totals.ByStatus.ToDictionary(s => s.Key.ToString(), s => s.Value, StringComparer.Ordinal),
            open = new
            {
                count = totals.ByStatus.Where(s => !Domain.Campaigns.CampaignStateMachine.IsTerminal(s.Key)).Sum(s => s.Value),
                audience = totals.OpenAudience,
                processed = totals.OpenProcessed,
            },
            sendsPerSecond = latest?.SendsPerSecond ?? 0,
            membersPerSecond = latest?.MembersPerSecond ?? 0,
            live = sampler.OpenCampaigns().Select(c => new { c.Id, c.Status, c.SendsPerSecond, c.MembersPerSecond, c.EtaSeconds }),
        };
    }
}
