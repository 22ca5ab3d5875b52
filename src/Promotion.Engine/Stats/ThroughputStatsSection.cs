using Microsoft.Extensions.Options;

namespace Promotion.Engine.Stats;

/// <summary><c>throughput</c>: the cluster's current send and member rates and their recent history.</summary>
internal sealed class ThroughputStatsSection(ThroughputSampler sampler, IOptions<StatsOptions> options) : IStatsSection
{
    // A few minutes of history: enough for the overview's sparkline, small enough to poll every 2 s.
    private const int OverviewPoints = 90;

    public string Name => "throughput";

    public Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        var latest = sampler.Latest;
        return Task.FromResult<object?>(new
        {
            sendsPerSecond = latest?.SendsPerSecond ?? 0,
            membersPerSecond = latest?.MembersPerSecond ?? 0,
            intervalSeconds = options.Value.SampleInterval.TotalSeconds,
            points = sampler.ClusterSeries(OverviewPoints),
        });
    }
}
