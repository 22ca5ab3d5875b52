using Orleans;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.Tests.Cluster;

/// <summary>Answers the name of the silo its activation runs on.</summary>
public interface IRoleProbeGrain : IGrainWithIntegerKey
{
    Task<string> SiloNameAsync();
}

/// <summary>A grain any silo may host.</summary>
public interface IAnywhereProbeGrain : IRoleProbeGrain;

/// <summary>A grain only worker silos host.</summary>
public interface IWorkerProbeGrain : IRoleProbeGrain;

/// <summary>A grain only scheduler silos host.</summary>
public interface ISchedulerProbeGrain : IRoleProbeGrain;

public abstract class RoleProbeGrain(Orleans.Runtime.ILocalSiloDetails silo) : Grain, IRoleProbeGrain
{
    public Task<string> SiloNameAsync() => Task.FromResult(silo.Name);
}

// Random placement: the test is about which silos may host it, not about Orleans' load-based choice.
[Orleans.Placement.RandomPlacement]
public sealed class AnywhereProbeGrain(Orleans.Runtime.ILocalSiloDetails silo) : RoleProbeGrain(silo), IAnywhereProbeGrain;

[SiloRole(SiloRoles.Worker)]
public sealed class WorkerProbeGrain(Orleans.Runtime.ILocalSiloDetails silo) : RoleProbeGrain(silo), IWorkerProbeGrain;

[SiloRole(SiloRoles.Scheduler)]
public sealed class SchedulerProbeGrain(Orleans.Runtime.ILocalSiloDetails silo) : RoleProbeGrain(silo), ISchedulerProbeGrain;
