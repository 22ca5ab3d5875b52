using Promotion.Domain.Members;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Infrastructure.InMemory;

/// <summary>
/// The member directory in process memory, for the embedded profile and fast tests. Same
/// semantics as the PostgreSQL one: ids unique, keyset pages in id order, segment catalog.
/// </summary>
public sealed class InMemoryMemberDirectory : IMemberDirectory
{
    private readonly SortedList<long, Member> _members = [];
    private readonly SortedSet<string> _segments = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<long> ImportAsync(IEnumerable<Member> members, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        var batch = members.ToList();
        lock (_gate)
        {
            var duplicate = batch.FirstOrDefault(m => _members.ContainsKey(m.Id));
            if (duplicate is not null || batch.DistinctBy(m => m.Id).Count() != batch.Count)
            {
                throw new InvalidOperationException($"member id {duplicate?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(repeated in batch)"} already exists; nothing was loaded");
            }

            foreach (var m in batch)
            {
                _members.Add(m.Id, m);
                _segments.UnionWith(m.Segments);
            }
        }

        progress?.Report(batch.Count);
        return Task.FromResult((long)batch.Count);
    }

    /// <inheritdoc />
    public Task<long> CountAsync(string? segment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(segment is null ? _members.Count : (long)_members.Values.Count(m => m.IsIn(segment)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Member>> ReadPageAsync(long afterId, long beforeId, string? segment, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var page = new List<Member>(Math.Min(limit, 1024));
            var keys = _members.Keys;
            for (var i = FirstIndexAfter(keys, afterId); i < keys.Count && page.Count < limit; i++)
            {
                var m = _members.GetValueAtIndex(i);
                if (m.Id >= beforeId)
                {
                    break;
                }

                if (segment is null || m.IsIn(segment))
                {
                    page.Add(m);
                }
            }

            return Task.FromResult<IReadOnlyList<Member>>(page);
        }
    }

    /// <inheritdoc />
    public Task<AudiencePlan> PlanAsync(string? segment, int shardSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var audience = segment is null ? _members.Count : _members.Values.Count(m => m.IsIn(segment));
            if (audience == 0)
            {
                return Task.FromResult(AudiencePlan.Empty);
            }

            var ids = _members.Keys;
            return Task.FromResult(new AudiencePlan(audience, ShardPlanner.Boundaries([.. ids], shardSize), ids[^1]));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Member>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Member>>([.. ids.Distinct().Order().Where(_members.ContainsKey).Select(id => _members[id])]);
        }
    }

    /// <inheritdoc />
    public Task<bool> SegmentExistsAsync(string segment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_segments.Contains(segment));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListSegmentsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _segments]);
        }
    }

    // Binary search: index of the first key greater than afterId.
    private static int FirstIndexAfter(IList<long> keys, long afterId)
    {
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (keys[mid] <= afterId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
