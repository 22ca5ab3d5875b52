using System.Collections.Concurrent;
using System.Reflection;
using Orleans;
using Promotion.Engine.Campaigns;

namespace Promotion.Engine.Tests.HotGoods;

/// <summary>
/// A grain factory for services outside a silo whose only grains are campaigns: creating a campaign
/// stores it (as its grain would) and records that it was started; nothing runs it.
/// </summary>
public sealed class RecordingCampaignGrains
{
    private readonly ICampaignStore _store;

    public RecordingCampaignGrains(ICampaignStore store, TimeProvider time)
    {
        _store = store;
        Factory = DispatchProxy.Create<IGrainFactory, FactoryProxy>();
        ((FactoryProxy)Factory).Owner = this;
        Time = time;
    }

    /// <summary>Register this as the <see cref="IGrainFactory"/>.</summary>
    public IGrainFactory Factory { get; }

    /// <summary>Campaigns started, in order (a campaign started twice appears twice).</summary>
    public ConcurrentQueue<Guid> Started { get; } = new();

    private TimeProvider Time { get; }

#pragma warning disable CA1812, CA1852 // created by DispatchProxy, which cannot derive from a sealed class
    private class FactoryProxy : DispatchProxy
#pragma warning restore CA1812, CA1852
    {
        public RecordingCampaignGrains Owner { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && targetMethod.GetGenericArguments()[0] == typeof(ICampaignGrain) && args?[0] is Guid id
                ? new CampaignGrain(Owner, id)
                : throw new NotSupportedException($"{targetMethod?.Name} is not used by the services under test");
    }

    private sealed class CampaignGrain(RecordingCampaignGrains owner, Guid id) : ICampaignGrain
    {
        public async Task CreateAsync(NewCampaign campaign)
        {
            await owner._store.CreateAsync(campaign with { Id = id }, owner.Time.GetUtcNow(), default);
            owner.Started.Enqueue(id);
        }

        public Task StartAsync()
        {
            owner.Started.Enqueue(id);
            return Task.CompletedTask;
        }

        public Task<CampaignChange> PauseAsync() => throw new NotSupportedException();

        public Task<CampaignChange> ResumeAsync() => throw new NotSupportedException();

        public Task<CampaignChange> CancelAsync() => throw new NotSupportedException();

        public Task ShardProgressAsync(int shardNo) => throw new NotSupportedException();

        public Task ShardEndedAsync(int shardNo) => throw new NotSupportedException();

        public Task SiloLeftAsync() => throw new NotSupportedException();
    }
}
