using Orleans;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.Delivery;

/// <summary>
/// A campaign's cluster-wide send limit: a <see cref="SendTokenBucket"/> that silos lease from. Its
/// state is only that bucket: a new activation (the old one's silo died) starts with a full
/// twentieth of a second, which stays within the bound.
/// </summary>
[SiloRole(SiloRoles.Worker)]
internal sealed class SendLimitGrain(TimeProvider time) : Grain, ISendLimitGrain
{
    private readonly SendTokenBucket _bucket = new(time);

    public Task<SendTokens> LeaseAsync(int perSecond, int wanted) => Task.FromResult(_bucket.Take(perSecond, wanted));
}
