using Orleans;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// A hot-goods schedule on the cluster (key: the schedule id), hosted by scheduler silos. A reminder
/// is its durable backstop (it brings the grain back after any restart or silo death, once a
/// minute at most); a grain timer fires each occurrence at its second.
/// </summary>
public interface IScheduleGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Starts firing (a schedule created or resumed): registers the reminder and arms the timer.
    /// Periods missed while the schedule was paused fire once, right after.
    /// </summary>
    Task StartAsync();

    /// <summary>Stops firing (a schedule paused or about to be deleted): unregisters the reminder and stops the timer.</summary>
    Task StopAsync();

    /// <summary>
    /// Runs the schedule now rather than at its next reminder tick (the silo it ran on may have died):
    /// fires what is due and arms the timer. A paused or deleted schedule does not fire; its leftover
    /// reminder, if any, is dropped.
    /// </summary>
    Task WakeAsync();

    /// <summary>The occurrence the timer is armed for; null when the schedule is not firing here.</summary>
    Task<DateTimeOffset?> GetArmedForAsync();
}
