using Promotion.Domain.HotGoods;

namespace Promotion.Engine.HotGoods;

/// <summary>Port: hot-goods schedules and their firings (PostgreSQL in the distributed profile).</summary>
public interface IHotGoodsSchedules
{
    /// <summary>Stores a new schedule.</summary>
    Task CreateAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken);

    /// <summary>The schedule, or null when unknown.</summary>
    Task<HotGoodsSchedule?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Every schedule, oldest first.</summary>
    Task<IReadOnlyList<HotGoodsSchedule>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Compare-and-set of the status: moves the schedule from <paramref name="from"/> to
    /// <paramref name="to"/> and returns it; null when it is unknown or not in <paramref name="from"/>.
    /// </summary>
    Task<HotGoodsSchedule?> SetStatusAsync(Guid id, HotGoodsScheduleStatus from, HotGoodsScheduleStatus to, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the schedule and its firing history; false when unknown.</summary>
    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the firing (<paramref name="scheduleId"/>, <paramref name="scheduledAt"/>) for
    /// <paramref name="nodeId"/>: null when this call created the claim, else the firing as
    /// already recorded (by an earlier run of the same firing).
    /// </summary>
    Task<HotGoodsFiringRecord?> TryClaimFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Moves an unfinished firing's claim from <paramref name="fromNode"/> (a dead host) to
    /// <paramref name="toNode"/>; false when it ended or another host took it first.
    /// </summary>
    Task<bool> TakeOverFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string fromNode, string toNode, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records how the firing ended: the campaign it started and that campaign's follow-up, if any.</summary>
    Task CompleteFiringAsync(
        Guid scheduleId, DateTimeOffset scheduledAt, HotGoodsFiringOutcome outcome, Guid? campaignId, Guid? followUpId, string? detail, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Drops an unfinished claim of <paramref name="nodeId"/> (its run failed), so a later run of the firing may claim it.</summary>
    Task ReleaseFiringAsync(Guid scheduleId, DateTimeOffset scheduledAt, string nodeId, CancellationToken cancellationToken);

    /// <summary>The schedule's latest firings, newest first.</summary>
    Task<IReadOnlyList<HotGoodsFiringRecord>> ListFiringsAsync(Guid scheduleId, int limit, CancellationToken cancellationToken);
}
