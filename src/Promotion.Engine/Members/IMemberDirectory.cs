using Promotion.Domain.Members;

namespace Promotion.Engine.Members;

/// <summary>
/// Port: the member directory (PostgreSQL <c>members</c> table in the distributed profile, an
/// in-process table in the embedded one).
/// </summary>
public interface IMemberDirectory
{
    /// <summary>
    /// Bulk-loads <paramref name="members"/> (binary COPY in PostgreSQL), reporting the running
    /// count through <paramref name="progress"/>. Ids already present are an error: nothing of
    /// that batch is loaded.
    /// </summary>
    Task<long> ImportAsync(IEnumerable<Member> members, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>Number of members, or of members in <paramref name="segment"/> when given.</summary>
    Task<long> CountAsync(string? segment, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> members with <paramref name="afterId"/> &lt; id &lt;
    /// <paramref name="beforeId"/> in id order (a keyset page), only those in
    /// <paramref name="segment"/> when given.
    /// </summary>
    Task<IReadOnlyList<Member>> ReadPageAsync(long afterId, long beforeId, string? segment, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Plans a campaign from indexed aggregates without reading the audience into the engine:
    /// the audience size (members in <paramref name="segment"/>, or all), and the id at every
    /// <paramref name="shardSize"/>-th position of all members (shards cover id ranges of the whole
    /// directory; a segment filter is applied when a shard reads its members).
    /// </summary>
    Task<Campaigns.AudiencePlan> PlanAsync(string? segment, int shardSize, CancellationToken cancellationToken);

    /// <summary>The members with the given ids that exist, in id order.</summary>
    Task<IReadOnlyList<Member>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="segment"/> is a known segment.</summary>
    Task<bool> SegmentExistsAsync(string segment, CancellationToken cancellationToken);

    /// <summary>Known segments, in name order.</summary>
    Task<IReadOnlyList<string>> ListSegmentsAsync(CancellationToken cancellationToken);
}
