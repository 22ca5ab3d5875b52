using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Jobs;

/// <summary>The registered sharded-job kinds, by campaign kind.</summary>
public sealed class ShardedJobs
{
    private readonly Dictionary<CampaignKind, IShardedJob> _byKind;

    /// <summary>Indexes <paramref name="jobs"/>; two classes for one kind are a composition error.</summary>
    public ShardedJobs(IEnumerable<IShardedJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _byKind = [];
        foreach (var job in jobs)
        {
            if (!_byKind.TryAdd(job.Kind, job))
            {
                throw new InvalidOperationException($"two sharded jobs are registered for kind {job.Kind}");
            }
        }
    }

    /// <summary>The job that runs campaigns of <paramref name="kind"/>.</summary>
    public IShardedJob For(CampaignKind kind) =>
        _byKind.TryGetValue(kind, out var job) ? job : throw new InvalidOperationException($"no sharded job is registered for kind {kind}");
}
