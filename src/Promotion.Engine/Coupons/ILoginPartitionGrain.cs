using Orleans;

namespace Promotion.Engine.Coupons;

/// <summary>
/// The subscriber of one partition of the login-event stream (key: the partition number, as the
/// stream's key). Orleans activates it on a worker silo when its stream carries events
/// (implicit subscription) and delivers the partition's batches to it one at a time.
/// </summary>
[Alias("promotion.login-partition")]
public interface ILoginPartitionGrain : IGrainWithStringKey
{
    /// <summary>What this activation has taken from its stream so far.</summary>
    [Alias("tally")]
    Task<LoginPartitionTally> GetTallyAsync();
}

/// <summary>What a partition's activation has taken from its stream.</summary>
/// <param name="Batches">Batches decided and written.</param>
/// <param name="Events">Login events in them.</param>
/// <param name="Failures">Deliveries that failed (and were retried, or dead-lettered at last).</param>
[GenerateSerializer, Alias("promotion.login-partition-tally")]
public sealed record LoginPartitionTally([property: Id(0)] long Batches, [property: Id(1)] long Events, [property: Id(2)] long Failures);
