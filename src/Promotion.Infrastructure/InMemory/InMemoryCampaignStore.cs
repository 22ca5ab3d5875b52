using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;

namespace Promotion.Infrastructure.InMemory;

/// <summary>
/// Campaigns, shards and failures in process memory, for the embedded profile and fast tests. Same
/// semantics as the PostgreSQL store: one lock makes every method atomic, status changes go through
/// <see cref="CampaignStateMachine"/>, shard writes are fenced by the shard's epoch, times are kept in
/// UTC to the microsecond as PostgreSQL keeps them.
/// </summary>
public sealed partial class InMemoryCampaignStore : ICampaignStore, IShardStore
{
    // Failures in member id, then channel wire name order: the order of the PostgreSQL primary key.
    private static readonly Comparer<(long MemberId, string Channel)> FailureOrder =
        Comparer<(long MemberId, string Channel)>.Create((a, b) =>
            a.MemberId != b.MemberId ? a.MemberId.CompareTo(b.MemberId) : string.CompareOrdinal(a.Channel, b.Channel));

    private readonly Dictionary<Guid, Row> _campaigns = [];
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<Campaign> CreateAsync(NewCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        now = Stored(now);
        var id = campaign.Id ?? Guid.CreateVersion7(now);
        lock (_gate)
        {
            if (_campaigns.TryGetValue(id, out var existing))
            {
                return Task.FromResult(existing.Snapshot());
            }

            if (campaign.AfterId is { } after && !_campaigns.ContainsKey(after))
            {
                throw new KeyNotFoundException($"unknown parent campaign {after}");
            }

            if (campaign.ParentId is { } parent && !_campaigns.ContainsKey(parent))
            {
                throw new KeyNotFoundException($"unknown parent campaign {parent}");
            }

            var row = new Row(id, campaign, now);
            _campaigns.Add(id, row);
            return Task.FromResult(row.Snapshot());
        }
    }

    /// <inheritdoc />
    public Task<Campaign?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_campaigns.TryGetValue(id, out var row) ? row.Snapshot() : null);
        }
    }

    /// <inheritdoc />
    public Task<CampaignStatus?> GetStatusAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_campaigns.TryGetValue(id, out var row) ? row.Status : (CampaignStatus?)null);
        }
    }

    /// <inheritdoc />
    public Task<CampaignPage> ListAsync(CampaignQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        lock (_gate)
        {
            var matching = _campaigns.Values
                .Where(c => (query.Kind is null || c.New.Kind == query.Kind) && (query.Status is null || c.Status == query.Status))
                .OrderByDescending(c => c.CreatedAt)
                .ThenByDescending(c => c.Id)
                .ToList();
            var items = matching.Skip((int)Math.Min(int.MaxValue, (long)(query.Page - 1) * query.PageSize)).Take(query.PageSize).Select(c => c.Snapshot()).ToList();
            return Task.FromResult(new CampaignPage(items, matching.Count, query.Page, query.PageSize));
        }
    }

    /// <inheritdoc />
    public Task<Campaign> TransitionAsync(Guid id, CampaignTrigger trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = Stored(now);
        lock (_gate)
        {
            // Under the lock nobody moves the campaign between the check and the change.
            var row = Find(id);
            var next = CampaignStateMachine.Next(row.Status, trigger);
            row.Status = next;
            row.Version++;
            row.UpdatedAt = now;
            if (trigger == CampaignTrigger.FinishPlanning)
            {
                row.StartedAt = now;
            }

            if (CampaignStateMachine.IsTerminal(next))
            {
                row.CompletedAt = now;
            }

            return Task.FromResult(row.Snapshot());
        }
    }

    /// <inheritdoc />
    public Task SetTraceParentAsync(Guid id, string traceParent, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(traceParent);
        lock (_gate)
        {
            Find(id).TraceParent = traceParent;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveShardsAsync(Guid id, IReadOnlyList<ShardRange> shards, long audienceSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfNegative(audienceSize);
        foreach (var shard in shards.Where(s => s.Lo >= s.Hi))
        {
            throw new ArgumentException($"shard {shard.ShardNo} is empty: [{shard.Lo}, {shard.Hi})", nameof(shards));
        }

        lock (_gate)
        {
            var row = Find(id);
            foreach (var s in shards)
            {
                // Existing shards are kept as they are, so a second call changes nothing.
                row.Shards.TryAdd(s.ShardNo, new ShardRow(s.ShardNo, s.Lo, s.Hi));
            }

            row.AudienceSize = audienceSize;
            row.ShardsTotal = row.Shards.Count;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SendFailure> ReadFailuresAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            List<SendFailure> failures = _campaigns.TryGetValue(id, out var row) ? [.. row.Failures.Values] : [];
            return failures.ToAsyncEnumerable();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReasonCount>> ReadReasonsAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(id, out var row))
            {
                return Task.FromResult<IReadOnlyList<ReasonCount>>([]);
            }

            return Task.FromResult<IReadOnlyList<ReasonCount>>([.. row.Reasons
                .Select(r => new ReasonCount(r.Key.Outcome, r.Key.Reason, r.Value))
                .OrderByDescending(r => r.Count)
                .ThenBy(r => Text(r.Outcome), StringComparer.Ordinal)
                .ThenBy(r => r.Reason, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public Task<AudiencePlan> PlanFailedMembersAsync(Guid failedCampaignId, int shardSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, ShardPlanner.MinShardSize);
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(failedCampaignId, out var row) || row.Failures.Count == 0)
            {
                return Task.FromResult(AudiencePlan.Empty);
            }

            // Keys are in member id order, so consecutive duplicates are one member's channels.
            var members = new List<long>();
            foreach (var (memberId, _) in row.Failures.Keys)
            {
                if (members.Count == 0 || members[^1] != memberId)
                {
                    members.Add(memberId);
                }
            }

            return Task.FromResult(new AudiencePlan(members.Count, ShardPlanner.Boundaries(members, shardSize), members[^1]));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(long MemberId, IReadOnlyList<Channel> Channels)>> ReadFailedPageAsync(
        Guid failedCampaignId, long afterId, long beforeId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            var page = new List<(long MemberId, IReadOnlyList<Channel> Channels)>();
            if (!_campaigns.TryGetValue(failedCampaignId, out var row))
            {
                return Task.FromResult<IReadOnlyList<(long, IReadOnlyList<Channel>)>>(page);
            }

            foreach (var group in row.Failures.Values.Where(f => f.MemberId > afterId && f.MemberId < beforeId).GroupBy(f => f.MemberId))
            {
                if (page.Count == limit)
                {
                    break;
                }

                page.Add((group.Key, [.. group.Select(f => f.Channel)]));
            }

            return Task.FromResult<IReadOnlyList<(long, IReadOnlyList<Channel>)>>(page);
        }
    }

    /// <inheritdoc />
    public Task<ShardWork?> StartAsync(ShardRef shard, string silo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        lock (_gate)
        {
            if (FindShard(shard) is not { } s || !CampaignStateMachine.SourcesOf(ShardTrigger.Start).Contains(s.Status))
            {
                return Task.FromResult<ShardWork?>(null);
            }

            s.Status = CampaignStateMachine.Next(s.Status, ShardTrigger.Start);
            s.Owner = silo;
            s.Epoch++;
            s.Attempts++;
            return Task.FromResult<ShardWork?>(new ShardWork(shard.CampaignId, shard.ShardNo, s.Lo, s.Hi, s.Cursor, s.Attempts, s.Epoch));
        }
    }

    /// <inheritdoc />
    public Task<bool> CheckpointAsync(ShardCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        lock (_gate)
        {
            if (Current(checkpoint.Shard, checkpoint.Epoch) is not { } s || checkpoint.Cursor <= s.Cursor)
            {
                return Task.FromResult(false);
            }

            var row = _campaigns[checkpoint.Shard.CampaignId];
            s.Cursor = checkpoint.Cursor;
            s.Sent += checkpoint.Sent;
            s.Failed += checkpoint.Failed;
            s.Skipped += checkpoint.Skipped;
            foreach (var f in checkpoint.Failures)
            {
                // One row per member and channel: a re-sent page replaces, never adds.
                row.Failures[(f.MemberId, f.Channel.ToWire())] = f with { At = Stored(f.At) };
            }

            foreach (var r in checkpoint.Reasons)
            {
                row.Reasons[(r.Outcome, r.Reason)] = row.Reasons.GetValueOrDefault((r.Outcome, r.Reason)) + r.Count;
            }

            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task ReleaseAsync(ShardRef shard, long epoch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Current(shard, epoch) is { } s && CampaignStateMachine.SourcesOf(ShardTrigger.Release).Contains(s.Status))
            {
                s.Status = CampaignStateMachine.Next(s.Status, ShardTrigger.Release);
                s.Owner = null;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> EndAsync(ShardRef shard, long epoch, ShardTrigger trigger, CancellationToken cancellationToken)
    {
        if (trigger is not (ShardTrigger.Finish or ShardTrigger.Fail or ShardTrigger.Cancel))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "a shard ends with Finish, Fail or Cancel");
        }

        lock (_gate)
        {
            if (Current(shard, epoch) is not { } s)
            {
                return Task.FromResult(false);
            }

            s.Status = CampaignStateMachine.Next(s.Status, trigger); // the owner stays: the silo that ended it
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<int>> TakeUnstartedAsync(Guid campaignId, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        now = Stored(now);
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(campaignId, out var row))
            {
                return Task.FromResult<IReadOnlyList<int>>([]);
            }

            var taken = row.Shards.Values.Where(s => s.Status == ShardStatus.Pending && s.StartedAt is null).Take(limit).ToList();
            foreach (var s in taken)
            {
                s.StartedAt = now;
            }

            return Task.FromResult<IReadOnlyList<int>>([.. taken.Select(s => s.No)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<int>> ListStartedAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<int>>(_campaigns.TryGetValue(campaignId, out var row)
                ? [.. row.Shards.Values.Where(s => s.Status is ShardStatus.Pending or ShardStatus.Running && s.StartedAt is not null).Select(s => s.No)]
                : []);
        }
    }

    /// <inheritdoc />
    public Task<int> CancelPendingAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(campaignId, out var row))
            {
                return Task.FromResult(0);
            }

            var cancelled = 0;
            foreach (var s in row.Shards.Values.Where(s => s.Status == ShardStatus.Pending))
            {
                s.Status = CampaignStateMachine.Next(s.Status, ShardTrigger.Cancel);
                s.Owner = null;
                cancelled++;
            }

            return Task.FromResult(cancelled);
        }
    }

    /// <inheritdoc />
    public Task<CampaignStatus> AggregateAsync(Guid campaignId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = Stored(now);
        lock (_gate)
        {
            var row = Find(campaignId);
            row.Sent = row.Shards.Values.Sum(x => x.Sent);
            row.Failed = row.Shards.Values.Sum(x => x.Failed);
            row.Skipped = row.Shards.Values.Sum(x => x.Skipped);
            if (row.Status == CampaignStatus.Running && !row.Shards.Values.Any(x => x.Status is ShardStatus.Pending or ShardStatus.Running))
            {
                var failed = row.Shards.Values.Any(x => x.Status == ShardStatus.Failed);
                row.Status = CampaignStateMachine.Next(row.Status, failed ? CampaignTrigger.Fail : CampaignTrigger.Complete);
                // The members actually read: the planned count may differ when members changed since.
                row.AudienceSize = row.Sent + row.Failed + row.Skipped;
                row.CompletedAt = now;
                row.UpdatedAt = now;
                row.Version++;
            }

            return Task.FromResult(row.Status);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> ListWaitingFollowUpsAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Guid>>([.. _campaigns.Values
                .Where(c => c.New.AfterId == campaignId && c.Status == CampaignStatus.Pending)
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Select(c => c.Id)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardInfo>> ListAsync(Guid campaignId, int fromShardNo, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(campaignId, out var row))
            {
                return Task.FromResult<IReadOnlyList<ShardInfo>>([]);
            }

            return Task.FromResult<IReadOnlyList<ShardInfo>>([.. row.Shards.Values
                .Where(s => s.No >= fromShardNo)
                .Take(limit)
                .Select(s => new ShardInfo(s.No, s.Status, s.Lo, s.Hi, s.Cursor, s.Sent, s.Failed, s.Skipped, s.Owner, s.Attempts))]);
        }
    }

    // PostgreSQL keeps timestamptz in UTC to the microsecond; keeping the same makes both stores compare alike.
    private static DateTimeOffset Stored(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

    private static string Text<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private Row Find(Guid id) =>
        _campaigns.TryGetValue(id, out var row) ? row : throw new KeyNotFoundException($"unknown campaign {id}");

    private ShardRow? FindShard(ShardRef shard) =>
        _campaigns.TryGetValue(shard.CampaignId, out var row) && row.Shards.TryGetValue(shard.ShardNo, out var s) ? s : null;

    // A Running shard under this epoch: the only one its writes may touch.
    private ShardRow? Current(ShardRef shard, long epoch) =>
        FindShard(shard) is { Status: ShardStatus.Running } s && s.Epoch == epoch ? s : null;

    private sealed class Row(Guid id, NewCampaign campaign, DateTimeOffset createdAt)
    {
        public Guid Id { get; } = id;

        public NewCampaign New { get; } = campaign;

        public Guid RootId { get; } = campaign.RootId ?? id;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public CampaignStatus Status { get; set; } = CampaignStatus.Pending;

        public int Version { get; set; }

        public DateTimeOffset UpdatedAt { get; set; } = createdAt;

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? CompletedAt { get; set; }

        public long AudienceSize { get; set; }

        public string? TraceParent { get; set; }

        public int ShardsTotal { get; set; }

        public long Sent { get; set; }

        public long Failed { get; set; }

        public long Skipped { get; set; }

        public SortedDictionary<int, ShardRow> Shards { get; } = [];

        public SortedDictionary<(long MemberId, string Channel), SendFailure> Failures { get; } = new(FailureOrder);

        public Dictionary<(DeliveryOutcome Outcome, string Reason), long> Reasons { get; } = [];

        public Campaign Snapshot()
        {
            var counts = new ShardCounts(ShardsTotal, 0, 0, 0, 0, 0);
            foreach (var s in Shards.Values)
            {
                counts = s.Status switch
                {
                    ShardStatus.Pending => counts with { Pending = counts.Pending + 1 },
                    ShardStatus.Running => counts with { Running = counts.Running + 1 },
                    ShardStatus.Done => counts with { Done = counts.Done + 1 },
                    ShardStatus.Failed => counts with { Failed = counts.Failed + 1 },
                    _ => counts with { Cancelled = counts.Cancelled + 1 },
                };
            }

            return new Campaign(
                Id, New.Name, New.Kind, Status, New.Priority, New.Segment, New.Message, [.. New.Channels], New.ShardSize, New.MaxSendsPerSecond,
                New.ParentId, RootId, AudienceSize, Sent, Failed, Skipped, counts, CreatedAt, StartedAt, CompletedAt, Version)
            {
                AfterId = New.AfterId,
                TraceParent = TraceParent,
            };
        }
    }

    private sealed class ShardRow(int no, long lo, long hi)
    {
        public int No { get; } = no;

        public long Lo { get; } = lo;

        public long Hi { get; } = hi;

        public ShardStatus Status { get; set; } = ShardStatus.Pending;

        public long Cursor { get; set; } = lo - 1;

        public long Sent { get; set; }

        public long Failed { get; set; }

        public long Skipped { get; set; }

        public string? Owner { get; set; }

        public long Epoch { get; set; }

        public int Attempts { get; set; }

        public DateTimeOffset? StartedAt { get; set; }
    }
}
