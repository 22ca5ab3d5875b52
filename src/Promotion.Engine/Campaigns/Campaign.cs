using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>A campaign as stored, with its progress.</summary>
/// <param name="Id">Campaign id.</param>
/// <param name="Name">Operator's name for it.</param>
/// <param name="Kind">Which sharded-job kind runs it.</param>
/// <param name="Status">Current status.</param>
/// <param name="Priority">Queue priority of its shards.</param>
/// <param name="Segment">Audience segment, or null for every member.</param>
/// <param name="Message">What is sent.</param>
/// <param name="Channels">Where it is sent.</param>
/// <param name="ShardSize">Members per shard.</param>
/// <param name="MaxSendsPerSecond">Cluster-wide send limit, or null.</param>
/// <param name="ParentId">For a retry pass: the campaign it retries.</param>
/// <param name="RootId">The campaign whose idempotency keys the sends carry (itself unless a retry pass).</param>
/// <param name="AudienceSize">Members targeted: planned count, then at completion exactly sent + failed + skipped.</param>
/// <param name="Sent">Members reached.</param>
/// <param name="Failed">Members with a failed channel.</param>
/// <param name="Skipped">Members not attempted (no contact, capped).</param>
/// <param name="Shards">Shard counts by status.</param>
/// <param name="CreatedAt">When accepted.</param>
/// <param name="StartedAt">When planning finished and sending began.</param>
/// <param name="CompletedAt">When it reached a terminal status.</param>
/// <param name="Version">Optimistic-concurrency version, bumped on every status change.</param>
public sealed record Campaign(
    Guid Id,
    string Name,
    CampaignKind Kind,
    CampaignStatus Status,
    JobPriority Priority,
    string? Segment,
    CampaignMessage Message,
    IReadOnlyList<Channel> Channels,
    int ShardSize,
    int? MaxSendsPerSecond,
    Guid? ParentId,
    Guid RootId,
    long AudienceSize,
    long Sent,
    long Failed,
    long Skipped,
    ShardCounts Shards,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    int Version)
{
    /// <summary>For a follow-up: the campaign it waits for (planned when that one completes, cancelled when it does not).</summary>
    public Guid? AfterId { get; init; }

    /// <summary>
    /// W3C <c>traceparent</c> of the campaign's plan span, when it was traced: shard spans on any
    /// silo are its children. Null when tracing was off while it was planned.
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>The message a campaign sends.</summary>
/// <param name="Title">Title.</param>
/// <param name="Body">Body.</param>
/// <param name="Payload">Optional JSON the kind attaches (hot goods list, coupon id).</param>
[Orleans.GenerateSerializer, Orleans.Alias("promotion.campaign-message")]
public sealed record CampaignMessage([property: Orleans.Id(0)] string Title, [property: Orleans.Id(1)] string Body, [property: Orleans.Id(2)] string? Payload = null);

/// <summary>A campaign's shards by status.</summary>
public sealed record ShardCounts(int Total, int Pending, int Running, int Done, int Failed, int Cancelled)
{
    /// <summary>No shards.</summary>
    public static ShardCounts None { get; } = new(0, 0, 0, 0, 0, 0);
}
