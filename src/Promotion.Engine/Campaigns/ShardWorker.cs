using System.Threading.RateLimiting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Jobs;
using Promotion.Engine.Messaging;
using Promotion.Engine.Nodes;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Works one shard: leases it (renewed while working), reads keyset pages from its checkpoint,
/// sends each member through the fan-out, checkpoints after every page, and ends the shard. It
/// stops at a page boundary when the campaign is paused (releasing the lease) or cancelled, and
/// when the host stops (releasing the lease so another host resumes at once).
/// </summary>
internal sealed partial class ShardWorker(
    IShardStore shards,
    ShardedJobs jobs,
    PushFanOut fanOut,
    SendRateLimits limits,
    CampaignStatusCache statuses,
    PriorityGate gate,
    CampaignFollowUps followUps,
    NodeIdentity node,
    IOptions<ShardOptions> options,
    PromotionInstruments instruments,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ShardWorker> logger) : IJobMessageHandler<ProcessShard>, INodeLoad
{
    // Retries a failing checkpoint with backoff for up to CheckpointRetryFor. Safe however late it
    // lands: the store writes a checkpoint only while this host still owns the lease.
    private readonly ResiliencePipeline<bool> _checkpointRetry = new ResiliencePipelineBuilder<bool> { TimeProvider = time }
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

    private int _held;

    public int InFlightSends => 0;

    public int ShardsHeld => Volatile.Read(ref _held);

    public async Task HandleAsync(ProcessShard message, CancellationToken cancellationToken)
    {
        var campaign = await statuses.GetDefinitionAsync(message.CampaignId, cancellationToken) ?? throw new UnknownCampaignException(message.CampaignId);
        // Fresh read before dropping: a shard message right after resume must not meet a cached Paused.
        if (await statuses.GetAsync(campaign.Id, cancellationToken) != CampaignStatus.Running
            && await statuses.GetAsync(campaign.Id, cancellationToken, fresh: true) != CampaignStatus.Running)
        {
            // Paused shards are dispatched again on resume; cancelled and ended campaigns need nothing.
            return;
        }

        // Wait for a slot of this host by priority (with aging) before taking the lease.
        using var slot = await gate.EnterAsync(campaign.Priority, cancellationToken);
        var o = options.Value;
        var shard = new ShardRef(message.CampaignId, message.ShardNo);
        var now = time.GetUtcNow();
        var work = await shards.TryLeaseAsync(shard, node.NodeId, now, now + o.LeaseDuration, cancellationToken);
        if (work is null)
        {
            return; // another worker holds it, or it ended
        }

        using var scope = LogScopes.Shard(logger, shard.CampaignId, shard.ShardNo);
        Interlocked.Increment(ref _held);
        instruments.ShardsActive.Add(1);
        using var leaseLost = new CancellationTokenSource();
        var keeper = KeepLeaseAsync(shard, leaseLost);
        try
        {
            if (work.Attempts > o.MaxAttempts)
            {
                LogTooManyAttempts(logger, shard.CampaignId, shard.ShardNo, work.Attempts);
                await EndAsync(shard, ShardTrigger.Fail);
                return;
            }

            await WorkAsync(campaign, work, leaseLost.Token);
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            LogLeaseLost(logger, shard.CampaignId, shard.ShardNo);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Give the shard back at its checkpoint so a retry (here or elsewhere) continues at once.
            LogShardError(logger, shard.CampaignId, shard.ShardNo, ex);
            await TryReleaseAsync(shard);
            throw;
        }
        finally
        {
            await leaseLost.CancelAsync();
            await keeper;
            Interlocked.Decrement(ref _held);
            instruments.ShardsActive.Add(-1);
        }
    }

    private async Task WorkAsync(Campaign campaign, ShardWork work, CancellationToken leaseToken)
    {
        var o = options.Value;
        var job = jobs.For(campaign.Kind);
        var shard = new ShardRef(work.CampaignId, work.ShardNo);
        var cursor = work.Cursor;
        while (true)
        {
            // Page boundary: the only place a shard stops, so every stop is at a checkpoint.
            var status = await statuses.GetAsync(campaign.Id, leaseToken);
            if (status == CampaignStatus.Cancelled)
            {
                await EndAsync(shard, ShardTrigger.Cancel);
                return;
            }

            if (status != CampaignStatus.Running || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                await shards.ReleaseAsync(shard, node.NodeId, CancellationToken.None);
                LogReleased(logger, shard.CampaignId, shard.ShardNo, status?.ToString() ?? "unknown", cursor);
                return;
            }

            var page = await job.ReadPageAsync(campaign, cursor, work.Hi, o.PageSize, leaseToken);
            if (page.Count == 0)
            {
                await EndAsync(shard, ShardTrigger.Finish);
                return;
            }

            var limiter = await limits.ForAsync(campaign, leaseToken);
            var tally = await SendPageAsync(campaign, job, page, limiter, leaseToken);
            var last = page[^1].Member.Id;
            var checkpoint = new ShardCheckpoint(shard, node.NodeId, last, tally.Sent, tally.Failed, tally.Skipped, tally.Failures, tally.Reasons, time.GetUtcNow() + o.LeaseDuration);
            // Not the lease's token: a page already sent is checkpointed even while the host stops.
            if (!await _checkpointRetry.ExecuteAsync(
                static (s, token) => new ValueTask<bool>(s.Store.CheckpointAsync(s.Checkpoint, token)), (Store: shards, Checkpoint: checkpoint), CancellationToken.None))
            {
                LogLeaseLost(logger, shard.CampaignId, shard.ShardNo);
                return;
            }

            cursor = last;
        }
    }

    private async Task<PageTally> SendPageAsync(Campaign campaign, IShardedJob job, IReadOnlyList<Recipient> page, RateLimiter? limiter, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(page.Select(r => SendRecipientAsync(campaign, job, r, limiter, cancellationToken)));
        var tally = new PageTally();
        foreach (var (outcome, reason, failures) in results)
        {
            tally.Add(outcome, reason, failures);
        }

        return tally;
    }

    private async Task<(DeliveryOutcome Outcome, string? Reason, IReadOnlyList<SendFailure> Failures)> SendRecipientAsync(
        Campaign campaign, IShardedJob job, Recipient recipient, RateLimiter? limiter, CancellationToken cancellationToken)
    {
        var member = recipient.Member;
        try
        {
            if (await job.ScreenAsync(campaign, recipient, time.GetUtcNow(), cancellationToken) is { } skip)
            {
                return (DeliveryOutcome.Skipped, skip, []);
            }

            var sends = recipient.Channels.Select(async channel =>
            {
                if (member.ContactFor(channel) is not { } contact)
                {
                    return (Channel: channel, Outcome: DeliveryOutcome.Skipped, Reason: (string?)$"no {channel.ToWire()} contact");
                }

                var message = new OutgoingMessage(campaign.Id, member.Id, channel, contact, campaign.Message.Title, campaign.Message.Body,
                    IdempotencyKey.For(campaign.RootId, member.Id, channel), campaign.Message.Payload);
                var (outcome, reason) = await fanOut.SendAsync(message, limiter, cancellationToken);
                return (Channel: channel, Outcome: outcome, Reason: reason);
            });
            var outcomes = await Task.WhenAll(sends);
            var combined = MemberOutcome.Combine(outcomes.Select(o => o.Outcome));
            if (combined == DeliveryOutcome.Failed && outcomes.All(o => o.Outcome != DeliveryOutcome.Sent))
            {
                await OnUndeliveredAsync(campaign, job, recipient, cancellationToken);
            }

            var now = time.GetUtcNow();
            var failures = outcomes.Where(o => o.Outcome == DeliveryOutcome.Failed)
                .Select(o => new SendFailure(member.Id, o.Channel, o.Reason ?? "failed", now)).ToList();
            var reason = outcomes.FirstOrDefault(o => o.Outcome == combined).Reason;
            return (combined, reason, failures);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One bad member record never fails the shard: it is recorded with its reason.
            var reason = "error: " + ex.Message;
            return (DeliveryOutcome.Failed, reason, [.. recipient.Channels.Select(c => new SendFailure(member.Id, c, reason, time.GetUtcNow()))]);
        }
    }

    // The member is counted failed either way; a job that cannot undo its screening only loses that.
    private async Task OnUndeliveredAsync(Campaign campaign, IShardedJob job, Recipient recipient, CancellationToken cancellationToken)
    {
        try
        {
            await job.OnUndeliveredAsync(campaign, recipient, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUndeliveredFailed(logger, recipient.Member.Id, ex);
        }
    }

    private async Task EndAsync(ShardRef shard, ShardTrigger trigger)
    {
        var after = await shards.EndAsync(shard, node.NodeId, trigger, time.GetUtcNow(), CancellationToken.None);
        instruments.ShardsEnded.Add(1, new KeyValuePair<string, object?>("status", trigger.ToString().ToLowerInvariant()));
        if (CampaignStateMachine.IsTerminal(after))
        {
            limits.Forget(shard.CampaignId);
            statuses.Forget(shard.CampaignId);
            LogCampaignEnded(logger, shard.CampaignId, after);
            await followUps.ReleaseAsync(shard.CampaignId, CancellationToken.None);
        }
    }

    private async Task TryReleaseAsync(ShardRef shard)
    {
        try
        {
            await shards.ReleaseAsync(shard, node.NodeId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReleaseFailed(logger, shard.CampaignId, shard.ShardNo, ex);
        }
    }

    // Renews the lease every third of its duration while the shard is worked; cancels the work if it is lost.
    private async Task KeepLeaseAsync(ShardRef shard, CancellationTokenSource leaseLost)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.LeaseDuration / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(leaseLost.Token))
            {
                bool renewed;
                try
                {
                    renewed = await shards.RenewAsync(shard, node.NodeId, time.GetUtcNow() + o.LeaseDuration, leaseLost.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRenewFailed(logger, shard.CampaignId, shard.ShardNo, ex);
                    continue; // the store may be back before the lease runs out
                }

                if (!renewed)
                {
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // work ended
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {CampaignId}/{ShardNo} released at cursor {Cursor} (campaign {Status} or host stopping)")]
    private static partial void LogReleased(ILogger logger, Guid campaignId, int shardNo, string status, long cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} lost its lease; another worker continues from the checkpoint")]
    private static partial void LogLeaseLost(ILogger logger, Guid campaignId, int shardNo);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard {CampaignId}/{ShardNo} leased {Attempts} times; failing it")]
    private static partial void LogTooManyAttempts(ILogger logger, Guid campaignId, int shardNo, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} stopped on an error; released for a retry")]
    private static partial void LogShardError(ILogger logger, Guid campaignId, int shardNo, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {CampaignId}/{ShardNo} could not be released; its lease will expire")]
    private static partial void LogReleaseFailed(ILogger logger, Guid campaignId, int shardNo, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease renewal of shard {CampaignId}/{ShardNo} failed; retrying")]
    private static partial void LogRenewFailed(ILogger logger, Guid campaignId, int shardNo, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint failed; retrying (attempt {Attempt})")]
    private static partial void LogCheckpointRetry(ILogger logger, int attempt, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {MemberId} was reached on no channel and its job could not undo its screening")]
    private static partial void LogUndeliveredFailed(ILogger logger, long memberId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} ended: {Status}")]
    private static partial void LogCampaignEnded(ILogger logger, Guid campaignId, CampaignStatus status);
}
