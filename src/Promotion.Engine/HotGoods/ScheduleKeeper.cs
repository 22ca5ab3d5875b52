using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.HotGoods;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// On scheduler silos: when a silo dies, wakes every active schedule, so the schedules that silo
/// hosted fire again from a live one within seconds, not at their next reminder tick.
/// </summary>
internal sealed class ScheduleKeeper(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IHotGoodsSchedules schedules,
    TimeProvider time,
    ILogger<ScheduleKeeper> logger) : SiloDeathWaker(membership, silo, time, logger)
{
    protected override string Kind => "active hot-goods schedules";

    protected override async Task<IReadOnlyList<Guid>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await schedules.ListAsync(cancellationToken)).Where(s => s.Status == HotGoodsScheduleStatus.Active).Select(s => s.Id)];

    protected override Task WakeAsync(Guid id) => grains.GetGrain<IScheduleGrain>(id).WakeAsync();
}
