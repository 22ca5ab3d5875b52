using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.InMemory;

/// <summary>Hot-goods schedules and firings in process memory (embedded profile); same claim rules as PostgreSQL's.</summary>
public sealed class InMemoryHotGoodsSchedules : IHotGoodsSchedules
{
    private readonly Dictionary<Guid, HotGoodsSchedule> _schedules = [];
    private readonly Dictionary<(Guid ScheduleId, DateTimeOffset ScheduledAt), HotGoodsFiringRecord> _firings = [];
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task CreateAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        lock (_gate)
        {
            _schedules.Add(schedule.Id, schedule);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<HotGoodsSchedule?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_schedules.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<HotGoodsSchedule>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<HotGoodsSchedule>>([.. _schedules.Values.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)]);
        }
    }

    /// <inheritdoc />
    public Task<HotGoodsSchedule?> SetStatusAsync(Guid id, HotGoodsScheduleStatus from, HotGoodsScheduleStatus to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_schedules.TryGetValue(id, out var s) || s.Status != from)
            {
                return Task.FromResult<HotGoodsSchedule?>(null);
            }

            var changed = s with { Status = to, UpdatedAt = now };
            _schedules[id] = changed;
            return Task.FromResult<HotGoodsSchedule?>(changed);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var key in _firings.Keys.Where(k => k.ScheduleId == id).ToList())
            {
                _firings.Remove(key);
            }

            return Task.FromResult(_schedules.Remove(id));
        }
    }

    /// <inheritdoc />
    public Task<HotGoodsFiringRecord?> TryClaimFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = (scheduleId, scheduledAt.ToUniversalTime());
            if (_firings.TryGetValue(key, out var existing))
            {
                return Task.FromResult<HotGoodsFiringRecord?>(existing);
            }

            _firings.Add(key, new HotGoodsFiringRecord(scheduleId, scheduledAt, nodeId, now, null, null, null, null));
            return Task.FromResult<HotGoodsFiringRecord?>(null);
        }
    }

    /// <inheritdoc />
    public Task<bool> TakeOverFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string fromNode, string toNode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = (scheduleId, scheduledAt.ToUniversalTime());
            if (!_firings.TryGetValue(key, out var f) || f.NodeId != fromNode || f.Outcome is not null)
            {
                return Task.FromResult(false);
            }

            _firings[key] = f with { NodeId = toNode, ClaimedAt = now };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task CompleteFiringAsync(
        Guid scheduleId, DateTimeOffset scheduledAt, HotGoodsFiringOutcome outcome, Guid? campaignId, Guid? followUpId, string? detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = (scheduleId, scheduledAt.ToUniversalTime());
            if (_firings.TryGetValue(key, out var f))
            {
                _firings[key] = f with { Outcome = outcome, CampaignId = campaignId, FollowUpId = followUpId, Detail = detail, CompletedAt = now };
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ReleaseFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = (scheduleId, scheduledAt.ToUniversalTime());
            if (_firings.TryGetValue(key, out var f) && f.NodeId == nodeId && f.Outcome is null)
            {
                _firings.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<HotGoodsFiringRecord>> ListFiringsAsync(Guid scheduleId, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<HotGoodsFiringRecord>>(
                [.. _firings.Values.Where(f => f.ScheduleId == scheduleId).OrderByDescending(f => f.ScheduledAt).Take(limit)]);
        }
    }
}
