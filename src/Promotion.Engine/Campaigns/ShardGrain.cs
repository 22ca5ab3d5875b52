using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Polly;
using Polly.Retry;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Cluster;
using Promotion.Engine.Delivery;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Jobs;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Works one shard in a loop of its activation. Each start takes the shard under a new epoch, so
/// whichever activation started last owns it and an older one's checkpoint is refused; a new
/// activation first waits while a holder on a live silo still has it (a stopping silo finishing its
/// page), so a graceful handover sends nothing twice. Every page
/// goes through the silo's priority gate (a slot per page, so a waiting high-priority page gets the
/// next free slot) and, for a throttled campaign, only while that campaign's limiter here has no
/// sends waiting: a campaign that cannot send faster holds no slot another could use. The loop stops
/// at page boundaries only: paused (the shard is given back), cancelled (ended), deactivating (the
/// silo stops: the page in flight is checkpointed and the shard given back for another silo).
/// </summary>
[SiloRole(SiloRoles.Worker)]
[RandomPlacement]
internal sealed partial class ShardGrain(
    IShardStore shards,
    ShardedJobs jobs,
    CampaignStatusCache statuses,
    PriorityGate gate,
    ShardPages pages,
    SendLimits limits,
    ShardActivity activity,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    IOptions<ShardOptions> options,
    PromotionInstruments instruments,
    TimeProvider time,
    ILogger<ShardGrain> logger) : Grain, IShardGrain, IDisposable
{
    private static readonly TimeSpan KeepActiveFor = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan HolderPoll = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _deactivating = new();
    private CancellationTokenSource _wake = new();
    private ResiliencePipeline<bool>? _checkpointRetry;
    private bool _readFresh = true;
    private Task? _loop;
    private ShardRef _shard;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var campaignId = this.GetPrimaryKey(out var shardNo);
        _shard = new ShardRef(campaignId, int.Parse(shardNo!, System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public Task WakeAsync()
    {
        _readFresh = true;
        var woken = _wake;
        _wake = new CancellationTokenSource();
        woken.Cancel();
        woken.Dispose();
        if (_loop is null || _loop.IsCompleted)
        {
            _loop = RunAsync();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        if (_loop is { IsCompleted: false } loop)
        {
            try
            {
                // The page in flight finishes and is checkpointed; the shard is then given back.
                await loop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                LogStopTimedOut(logger, _shard.CampaignId, _shard.ShardNo);
            }
        }
    }

    public void Dispose()
    {
        _deactivating.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        using var scope = LogScopes.Shard(logger, _shard.CampaignId, _shard.ShardNo);
        var backoff = TimeSpan.FromSeconds(1);
        while (!_deactivating.IsCancellationRequested)
        {
            try
            {
                await WorkAsync();
                break;
            }
            catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
            {
                // The last worker stops and the page could not finish: given back at its checkpoint.
                LogPageAbandoned(logger, _shard.CampaignId, _shard.ShardNo);
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store or a grain call failed: start over from the checkpoint, under a new epoch.
                LogShardError(logger, _shard.CampaignId, _shard.ShardNo, backoff.TotalSeconds, ex);
            }

            try
            {
                await Task.Delay(backoff, time, _deactivating.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }

        if (!_deactivating.IsCancellationRequested)
        {
            DeactivateOnIdle();
        }
    }

    private async Task WorkAsync()
    {
        var campaign = await statuses.GetDefinitionAsync(_shard.CampaignId, CancellationToken.None);
        var status = await StatusAsync();
        if (campaign is null || status is not (CampaignStatus.Running or CampaignStatus.Cancelled))
        {
            return; // not started, paused or over: the campaign wakes the shard when there is work
        }

        if (!await WaitForHolderAsync())
        {
            return; // deactivating meanwhile
        }

        var work = await shards.StartAsync(_shard, silo.Name, CancellationToken.None);
        if (work is null)
        {
            await ReportEndedAsync(); // ended before: make sure the campaign knows
            return;
        }

        using var span = PromotionTraces.StartShard(campaign, work, silo.Name);
        activity.Enter(_shard);
        instruments.ShardsActive.Add(1);
        try
        {
            await WorkPagesAsync(campaign, work, status.Value);
        }
        catch
        {
            await TryReleaseAsync(work.Epoch);
            throw;
        }
        finally
        {
            activity.Leave(_shard);
            instruments.ShardsActive.Add(-1);
        }
    }

    private async Task WorkPagesAsync(Campaign campaign, ShardWork work, CampaignStatus status)
    {
        var o = options.Value;
        if (status == CampaignStatus.Cancelled)
        {
            await EndAsync(work.Epoch, ShardTrigger.Cancel);
            return;
        }

        if (work.Attempts > o.MaxAttempts)
        {
            LogTooManyAttempts(logger, _shard.CampaignId, _shard.ShardNo, work.Attempts);
            await EndAsync(work.Epoch, ShardTrigger.Fail);
            return;
        }

        var job = jobs.For(campaign.Kind);
        var limit = campaign.MaxSendsPerSecond is { } perSecond ? limits.For(campaign.Id, perSecond) : null;
        var pageSize = PageSizeFor(campaign, o.PageSize);
        var cursor = work.Cursor;
        while (true)
        {
            // Page boundary: the only place a shard stops, so every stop is at a checkpoint.
            DelayDeactivation(KeepActiveFor);
            status = await StatusAsync() ?? CampaignStatus.Cancelled;
            if (status == CampaignStatus.Cancelled)
            {
                await EndAsync(work.Epoch, ShardTrigger.Cancel);
                return;
            }

            if (status != CampaignStatus.Running || _deactivating.IsCancellationRequested)
            {
                await shards.ReleaseAsync(_shard, work.Epoch, CancellationToken.None);
                LogReleased(logger, _shard.CampaignId, _shard.ShardNo, status.ToString(), cursor);
                return;
            }

            IDisposable slot;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(_deactivating.Token, _wake.Token))
            {
                try
                {
                    if (limit is not null)
                    {
                        await limit.WaitUntilUnsaturatedAsync(waiting.Token);
                    }

                    slot = await gate.EnterAsync(campaign.Priority, waiting.Token);
                }
                catch (OperationCanceledException)
                {
                    continue; // woken or stopping: decide again at the boundary
                }
            }

            using (slot)
            {
                using var span = PromotionTraces.StartPage(campaign.Id, _shard.ShardNo, cursor);
                var page = await job.ReadPageAsync(campaign, cursor, work.Hi, pageSize, CancellationToken.None);
                if (page.Count == 0)
                {
                    PromotionTraces.EndPage(span, 0, 0, 0, 0);
                    await EndAsync(work.Epoch, ShardTrigger.Finish);
                    return;
                }

                var tally = await pages.SendAsync(campaign, job, page, CancellationToken.None);
                PromotionTraces.EndPage(span, page.Count, tally.Sent, tally.Failed, tally.Skipped);
                var last = page[^1].Member.Id;
                var checkpoint = new ShardCheckpoint(_shard, work.Epoch, last, tally.Sent, tally.Failed, tally.Skipped, tally.Failures, tally.Reasons);
                if (!await CheckpointRetry.ExecuteAsync(
                    static (s, token) => new ValueTask<bool>(s.Store.CheckpointAsync(s.Checkpoint, token)), (Store: shards, Checkpoint: checkpoint), CancellationToken.None))
                {
                    // A newer activation started the shard: it owns the cursor now, this one stops.
                    LogSuperseded(logger, _shard.CampaignId, _shard.ShardNo, work.Epoch);
                    return;
                }

                cursor = last;
            }

            _ = GrainFactory.GetGrain<ICampaignGrain>(_shard.CampaignId).ShardProgressAsync(_shard.ShardNo);
        }
    }

    // Another activation may still hold the shard: one on a silo that is stopping (it gives the shard
    // back after its page in flight), or one Orleans briefly runs beside this one. Taking the shard over
    // now would send that page again, so wait until the holder gave it back or its silo is declared
    // dead; the epoch still fences whichever loses.
    private async Task<bool> WaitForHolderAsync()
    {
        while (true)
        {
            var row = (await shards.ListAsync(_shard.CampaignId, _shard.ShardNo, 1, CancellationToken.None)).FirstOrDefault(s => s.ShardNo == _shard.ShardNo);
            if (row is not { Status: ShardStatus.Running, Silo: { } holder } || holder == silo.Name || !IsAlive(holder))
            {
                return true;
            }

            try
            {
                await Task.Delay(HolderPoll, time, _deactivating.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private bool IsAlive(string siloName) =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Name == siloName && m.Status != SiloStatus.Dead);

    private async Task EndAsync(long epoch, ShardTrigger trigger)
    {
        if (await shards.EndAsync(_shard, epoch, trigger, CancellationToken.None))
        {
            instruments.ShardsEnded.Add(1, new KeyValuePair<string, object?>("status", trigger.ToString().ToLowerInvariant()));
            await ReportEndedAsync();
        }
    }

    private async Task ReportEndedAsync()
    {
        try
        {
            await GrainFactory.GetGrain<ICampaignGrain>(_shard.CampaignId).ShardEndedAsync(_shard.ShardNo);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The campaign's reminder aggregates and completes it anyway.
            LogReportFailed(logger, _shard.CampaignId, _shard.ShardNo, ex);
        }

        if (await statuses.GetAsync(_shard.CampaignId, CancellationToken.None, fresh: true) is { } after && CampaignStateMachine.IsTerminal(after))
        {
            limits.Forget(_shard.CampaignId);
        }
    }

    private async Task TryReleaseAsync(long epoch)
    {
        try
        {
            await shards.ReleaseAsync(_shard, epoch, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogReleaseFailed(logger, _shard.CampaignId, _shard.ShardNo, ex);
        }
    }

    private async Task<CampaignStatus?> StatusAsync()
    {
        var fresh = _readFresh;
        _readFresh = false;
        return await statuses.GetAsync(_shard.CampaignId, CancellationToken.None, fresh);
    }

    // A throttled campaign's pages hold about five seconds of its limit, so a page never outlasts the
    // push grain's call and a crash re-sends no more than that.
    private static int PageSizeFor(Campaign campaign, int pageSize) =>
        campaign.MaxSendsPerSecond is { } perSecond
            ? (int)Math.Clamp(perSecond * 5L / Math.Max(1, campaign.Channels.Count), 1, pageSize)
            : pageSize;

    // Retries a failing checkpoint with backoff for up to CheckpointRetryFor; safe however late it
    // lands, because the store writes it only under this epoch and only forward.
    private ResiliencePipeline<bool> CheckpointRetry => _checkpointRetry ??= new ResiliencePipelineBuilder<bool> { TimeProvider = time }
        .AddTimeout(options.Value.CheckpointRetryFor)
        .AddRetry(new RetryStrategyOptions<bool>
        {
            ShouldHandle = new PredicateBuilder<bool>().Handle<Exception>(ex => ex is not OperationCanceledException),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(2),
            OnRetry = args =>
            {
                LogCheckpointRetry(logger, args.AttemptNumber + 1, args.Outcome.Exception);
                return default;
            },
        })
        .Build();

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {CampaignId}/{ShardNo} given back at cursor {Cursor} (campaign {Status}, or the silo is stopping)")]
    private static partial void LogReleased(ILogger logger, Guid campaignId, int shardNo, string status, long cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} epoch {Epoch} was taken over by a newer activation; this one stops")]
    private static partial void LogSuperseded(ILogger logger, Guid campaignId, int shardNo, long epoch);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard {CampaignId}/{ShardNo} started {Attempts} times; failing it")]
    private static partial void LogTooManyAttempts(ILogger logger, Guid campaignId, int shardNo, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} stopped on an error; starting over from its checkpoint in {Seconds} s")]
    private static partial void LogShardError(ILogger logger, Guid campaignId, int shardNo, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} could not be given back; its next start takes it over")]
    private static partial void LogReleaseFailed(ILogger logger, Guid campaignId, int shardNo, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} could not tell its campaign it ended; the campaign's reminder catches up")]
    private static partial void LogReportFailed(ILogger logger, Guid campaignId, int shardNo, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo}: the page in flight was abandoned, its campaign's send limit having no worker silo left to run on; the shard resumes from its last checkpoint")]
    private static partial void LogPageAbandoned(ILogger logger, Guid campaignId, int shardNo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} did not stop within the deactivation timeout; its next start resumes from the last checkpoint")]
    private static partial void LogStopTimedOut(ILogger logger, Guid campaignId, int shardNo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint failed; retrying (attempt {Attempt})")]
    private static partial void LogCheckpointRetry(ILogger logger, int attempt, Exception? exception);
}
