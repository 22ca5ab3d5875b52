namespace Promotion.Engine.HotGoods;

/// <summary>
/// Port: the durable cluster-wide scheduler that fires hot-goods schedules (Quartz.NET: clustered
/// AdoJobStore on PostgreSQL in the distributed profile, its RAM store in the embedded one). Each
/// firing calls <see cref="HotGoodsFiring.FireAsync"/> once, on one host of the cluster.
/// </summary>
public interface IHotGoodsTriggers
{
    /// <summary>What is wrong with <paramref name="cron"/> in the scheduler's cron dialect, or null when it is valid.</summary>
    string? ExplainCron(string cron);

    /// <summary>Starts firing <paramref name="schedule"/> on its cron, in its time zone.</summary>
    Task ScheduleAsync(HotGoodsSchedule schedule, CancellationToken cancellationToken);

    /// <summary>Stops firing until resumed.</summary>
    Task PauseAsync(Guid scheduleId, CancellationToken cancellationToken);

    /// <summary>Fires again; periods missed while paused fire once, not once each.</summary>
    Task ResumeAsync(Guid scheduleId, CancellationToken cancellationToken);

    /// <summary>Stops firing for good (nothing when it is not scheduled).</summary>
    Task DeleteAsync(Guid scheduleId, CancellationToken cancellationToken);

    /// <summary>When the schedule fires next; null when paused or not scheduled.</summary>
    Task<DateTimeOffset?> NextFireTimeAsync(Guid scheduleId, CancellationToken cancellationToken);
}
