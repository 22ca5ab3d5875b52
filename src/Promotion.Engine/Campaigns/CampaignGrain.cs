using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Cluster;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Jobs;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Runs one campaign. Its work is serialised by one gate (planning, starting shards, aggregating,
/// operators' commands), so the background work it does between calls never races its calls. It
/// keeps no state of its own beyond what it can read back from the store: the shards it started are
/// the started rows, so a new activation (after a restart or a silo's death) picks up where the old
/// one was.
/// </summary>
[SiloRole(SiloRoles.Worker)]
internal sealed partial class CampaignGrain(
    ICampaignStore campaigns,
    IShardStore shards,
    ShardedJobs jobs,
    ActiveWorkers workers,
    IOptions<ShardOptions> options,
    PromotionInstruments instruments,
    TimeProvider time,
    ILogger<CampaignGrain> logger) : Grain, ICampaignGrain, IRemindable, IDisposable
{
    private const string KeepGoingReminder = "keep-going";
    private const int WakeParallelism = 32;
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AggregateEvery = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SortedSet<int> _started = [];
    private readonly SortedSet<int> _unwoken = [];
    private bool _startedLoaded;
    private bool _catchingUp;
    private bool _reminderRegistered;
    private volatile bool _progressed;
    private IGrainTimer? _aggregator;

    private Guid Id => this.GetPrimaryKey();

    public async Task CreateAsync(NewCampaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        await campaigns.CreateAsync(campaign with { Id = Id }, time.GetUtcNow(), CancellationToken.None);
        await StartAsync();
    }

    public async Task StartAsync()
    {
        await EnsureReminderAsync();
        // The work may be long (planning ten million members): it runs in the activation, not in this call.
        _ = InGateAsync(KeepGoingAsync);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == KeepGoingReminder ? InGateAsync(KeepGoingAsync) : Task.CompletedTask;

    public Task<CampaignChange> PauseAsync() => InGateAsync(async () =>
    {
        if (await TransitionAsync(CampaignTrigger.Pause) is { } refused)
        {
            return refused;
        }

        await LoadStartedAsync();
        await WakeAsync(_started);
        return CampaignChange.Applied;
    });

    public Task<CampaignChange> ResumeAsync() => InGateAsync(async () =>
    {
        if (await TransitionAsync(CampaignTrigger.Resume) is { } refused)
        {
            return refused;
        }

        // The paused shards gave themselves back: read which are still open and start them again.
        _startedLoaded = false;
        await EnsureReminderAsync();
        await KeepRunningAsync();
        return CampaignChange.Applied;
    });

    public Task<CampaignChange> CancelAsync() => InGateAsync(async () =>
    {
        if (await TransitionAsync(CampaignTrigger.Cancel) is { } refused)
        {
            return refused;
        }

        await shards.CancelPendingAsync(Id, CancellationToken.None);
        _startedLoaded = false;
        await LoadStartedAsync();
        // Running shards end themselves after their in-flight page; a lost one is reactivated to do so.
        await WakeAsync(_started);
        await ReleaseFollowUpsAsync();
        await AggregateAsync();
        if (_started.Count == 0)
        {
            await StopKeepingAsync();
        }

        return CampaignChange.Applied;
    });

    public Task ShardProgressAsync(int shardNo)
    {
        _progressed = true;
        if (!_startedLoaded && !_catchingUp)
        {
            // A new activation, woken by a shard (the old one's silo died): take the campaign over.
            _catchingUp = true;
            _ = InGateAsync(KeepGoingAsync);
        }

        return Task.CompletedTask;
    }

    public Task ShardEndedAsync(int shardNo) => InGateAsync(async () =>
    {
        if (!_startedLoaded)
        {
            // A new activation, woken by a shard: take the campaign over first.
            await KeepGoingAsync();
        }

        _started.Remove(shardNo);
        var status = await AggregateAsync();
        if (status == CampaignStatus.Running)
        {
            await FillAsync();
        }
        else if (status == CampaignStatus.Cancelled && _startedLoaded && _started.Count == 0)
        {
            await StopKeepingAsync();
        }
    });

    public Task SiloLeftAsync() => InGateAsync(async () =>
    {
        if (!_startedLoaded)
        {
            await KeepGoingAsync();
        }
        else if (_started.Count > 0)
        {
            LogWakingAfterSiloLeft(logger, Id, _started.Count);
            await WakeAsync(_started);
        }
    });

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _aggregator?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _gate.Dispose();
    }

    private async Task KeepGoingAsync()
    {
        var campaign = await campaigns.GetAsync(Id, CancellationToken.None);
        if (campaign is null)
        {
            await StopKeepingAsync();
            return;
        }

        using var scope = LogScopes.Campaign(logger, Id);
        switch (campaign.Status)
        {
            case CampaignStatus.Pending when campaign.AfterId is { } after:
                await FollowAsync(campaign, after);
                break;
            case CampaignStatus.Pending or CampaignStatus.Planning:
                await PlanAsync(campaign);
                break;
            case CampaignStatus.Running:
                await KeepRunningAsync();
                break;
            case CampaignStatus.Cancelled:
                await LoadStartedAsync();
                if (_started.Count == 0)
                {
                    await StopKeepingAsync();
                }
                else
                {
                    await WakeAsync(_started);
                }

                break;
            case CampaignStatus.Completed or CampaignStatus.Failed:
                await ReleaseFollowUpsAsync();
                await StopKeepingAsync();
                break;
            default:
                // Paused: the reminder keeps the grain coming back until an operator resumes or cancels.
                break;
        }
    }

    // A follow-up is planned only after the campaign it waits for completed, and cancelled when that one did not.
    private async Task FollowAsync(Campaign campaign, Guid after)
    {
        var status = await campaigns.GetStatusAsync(after, CancellationToken.None);
        if (status == CampaignStatus.Completed)
        {
            await PlanAsync(campaign);
        }
        else if (status is null || CampaignStateMachine.IsTerminal(status.Value))
        {
            if (await TryTransitionAsync(CampaignTrigger.Cancel) is not null)
            {
                LogFollowUpCancelled(logger, Id, after, status?.ToString() ?? "missing");
                await ReleaseFollowUpsAsync();
            }

            await StopKeepingAsync();
        }
    }

    private async Task PlanAsync(Campaign campaign)
    {
        if (await TryTransitionAsync(CampaignTrigger.StartPlanning) is null)
        {
            return; // cancelled meanwhile
        }

        var started = time.GetTimestamp();
        using var span = PromotionTraces.StartPlan(campaign);
        if (span?.Id is { } traceParent)
        {
            // Stored before any shard starts, so every shard span, on any silo, is this span's child.
            await campaigns.SetTraceParentAsync(Id, traceParent, CancellationToken.None);
        }

        var plan = await jobs.For(campaign.Kind).PlanAsync(campaign, CancellationToken.None);
        var ranges = ShardPlanner.FromBoundaries(plan.Boundaries, plan.MaxId);
        await campaigns.SaveShardsAsync(Id, plan.AudienceSize == 0 ? [] : ranges, plan.AudienceSize, CancellationToken.None);
        instruments.CampaignsPlanned.Add(1);
        instruments.ShardsPlanned.Add(ranges.Count);
        span?.SetTag("promotion.campaign.audience", plan.AudienceSize).SetTag("promotion.campaign.shards", ranges.Count);
        if (plan.AudienceSize == 0)
        {
            await TryTransitionAsync(CampaignTrigger.Complete);
            LogEmpty(logger, Id);
            await ReleaseFollowUpsAsync();
            await StopKeepingAsync();
            return;
        }

        if (await TryTransitionAsync(CampaignTrigger.FinishPlanning) is null)
        {
            return;
        }

        await LoadStartedAsync();
        var first = await FillAsync();
        LogPlanned(logger, Id, plan.AudienceSize, ranges.Count, first, time.GetElapsedTime(started).TotalMilliseconds);
        WatchWhileRunning();
    }

    private async Task KeepRunningAsync()
    {
        // A new activation (the started shards may have lost their silo with the old one) or the
        // reminder's backstop: every started shard is woken, which is idempotent for one at work.
        await LoadStartedAsync();
        await WakeAsync(_started);

        if (await AggregateAsync() == CampaignStatus.Running)
        {
            await FillAsync();
            WatchWhileRunning();
        }
    }

    // Starts shards until the campaign has enough going to keep every worker's slots busy: a few
    // dozen grains at a time whatever the size of the campaign, never one per shard at once.
    private async Task<int> FillAsync()
    {
        var bound = Math.Max(2, workers.Count() * options.Value.ConcurrentShards * 2);
        var wanted = bound - _started.Count;
        if (wanted <= 0)
        {
            return 0;
        }

        var next = await shards.TakeUnstartedAsync(Id, wanted, time.GetUtcNow(), CancellationToken.None);
        _started.UnionWith(next);
        await WakeAsync(next);
        return next.Count;
    }

    private async Task LoadStartedAsync()
    {
        if (_startedLoaded)
        {
            return;
        }

        _started.Clear();
        _started.UnionWith(await shards.ListStartedAsync(Id, CancellationToken.None));
        _startedLoaded = true;
    }

    // Wakes shards a bounded number of calls at a time. One that cannot be reached now (the directory
    // still names its dead silo) is tried again every second until it answers: nothing else would
    // restart it, and the campaign cannot complete while it stays open.
    private async Task WakeAsync(IReadOnlyCollection<int> shardNos)
    {
        foreach (var chunk in shardNos.ToArray().Chunk(WakeParallelism))
        {
            await Task.WhenAll(chunk.Select(async no =>
            {
                try
                {
                    await ShardGrains.For(GrainFactory, new ShardRef(Id, no)).WakeAsync();
                    _unwoken.Remove(no);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (_unwoken.Add(no))
                    {
                        LogWakeFailed(logger, Id, no, ex);
                    }
                }
            }));
        }
    }

    // Folds the shards' counters into the campaign row and completes it when no shard is open.
    private async Task<CampaignStatus> AggregateAsync()
    {
        _progressed = false;
        var status = await shards.AggregateAsync(Id, time.GetUtcNow(), CancellationToken.None);
        if (status is CampaignStatus.Completed or CampaignStatus.Failed)
        {
            LogEnded(logger, Id, status);
            await ReleaseFollowUpsAsync();
            await StopKeepingAsync();
        }

        return status;
    }

    private async Task ReleaseFollowUpsAsync()
    {
        foreach (var followUp in await campaigns.ListWaitingFollowUpsAsync(Id, CancellationToken.None))
        {
            try
            {
                await GrainFactory.GetGrain<ICampaignGrain>(followUp).StartAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Its own reminder starts it within a minute.
                LogFollowUpNotStarted(logger, followUp, ex);
            }
        }
    }

    // While running, every second: shards that could not be woken are tried again, and the counters
    // re-aggregated after progress. Silos that leave the cluster are noticed by the worker silos'
    // CampaignKeeper, which calls SiloLeftAsync.
    private void WatchWhileRunning()
    {
        _aggregator ??= this.RegisterGrainTimer(
            () => _progressed || _unwoken.Count > 0 ? InGateAsync(WatchAsync) : Task.CompletedTask,
            new GrainTimerCreationOptions(AggregateEvery, AggregateEvery));
    }

    private async Task WatchAsync()
    {
        _unwoken.IntersectWith(_started);
        if (_unwoken.Count > 0)
        {
            await WakeAsync(_unwoken);
        }

        await AggregateAsync();
    }

    private async Task EnsureReminderAsync()
    {
        if (!_reminderRegistered)
        {
            await this.RegisterOrUpdateReminder(KeepGoingReminder, ReminderPeriod, ReminderPeriod);
            _reminderRegistered = true;
        }
    }

    private async Task StopKeepingAsync()
    {
        _aggregator?.Dispose();
        _aggregator = null;
        if (await this.GetReminder(KeepGoingReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminderRegistered = false;
        DeactivateOnIdle();
    }

    private async Task<CampaignChange?> TransitionAsync(CampaignTrigger trigger)
    {
        try
        {
            await campaigns.TransitionAsync(Id, trigger, time.GetUtcNow(), CancellationToken.None);
            return null;
        }
        catch (KeyNotFoundException)
        {
            return CampaignChange.Unknown;
        }
        catch (IllegalTransitionException ex)
        {
            return new CampaignChange(true, ex.Message);
        }
    }

    // Cancelled (or completed) underneath: the operator wins, this step just stops.
    private async Task<Campaign?> TryTransitionAsync(CampaignTrigger trigger)
    {
        try
        {
            return await campaigns.TransitionAsync(Id, trigger, time.GetUtcNow(), CancellationToken.None);
        }
        catch (IllegalTransitionException)
        {
            return null;
        }
    }

    private async Task InGateAsync(Func<Task> work)
    {
        await _gate.WaitAsync();
        try
        {
            await work();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Background work: logged, and the next reminder tick or call tries again.
            LogKeepGoingFailed(logger, Id, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> InGateAsync<T>(Func<Task<T>> work)
    {
        await _gate.WaitAsync();
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} planned: {AudienceSize} members in {Shards} shards, {Started} started, in {ElapsedMs:0} ms")]
    private static partial void LogPlanned(ILogger logger, Guid campaignId, long audienceSize, int shards, int started, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Follow-up {CampaignId} cancelled: the campaign it waited for, {AfterId}, ended {Status}")]
    private static partial void LogFollowUpCancelled(ILogger logger, Guid campaignId, Guid afterId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} has an empty audience and completed at once")]
    private static partial void LogEmpty(ILogger logger, Guid campaignId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} ended: {Status}")]
    private static partial void LogEnded(ILogger logger, Guid campaignId, CampaignStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId}: a silo left the cluster; waking its {Shards} started shards so those that ran there restart from their checkpoints")]
    private static partial void LogWakingAfterSiloLeft(ILogger logger, Guid campaignId, int shards);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} could not be woken now; it is tried again every second until it answers")]
    private static partial void LogWakeFailed(ILogger logger, Guid campaignId, int shardNo, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Follow-up {CampaignId} could not be started now; its reminder starts it")]
    private static partial void LogFollowUpNotStarted(ILogger logger, Guid campaignId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: keeping it going failed; the next reminder tick or call tries again")]
    private static partial void LogKeepGoingFailed(ILogger logger, Guid campaignId, Exception exception);
}
