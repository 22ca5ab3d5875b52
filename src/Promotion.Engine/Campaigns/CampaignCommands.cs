using Promotion.Domain.Campaigns;
using Promotion.Engine.Members;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// What operators do to campaigns (the admin API calls these). Creating only stores the
/// campaign and sends its plan message; planning happens on a worker.
/// </summary>
public sealed class CampaignCommands(
    ICampaignStore campaigns,
    IShardStore shards,
    IMemberDirectory members,
    IJobDispatcher dispatcher,
    ShardDispatch dispatch,
    CampaignFollowUps followUps,
    TimeProvider time)
{
    /// <summary>Validates and stores a push campaign, then asks for it to be planned.</summary>
    /// <exception cref="CampaignValidationException">The draft is invalid; nothing was stored.</exception>
    public Task<Campaign> CreatePushAsync(CampaignDraft draft, CancellationToken cancellationToken) =>
        CreateAsync(draft, CampaignKind.Push, null, cancellationToken);

    /// <summary>
    /// Validates and stores a push campaign that waits for <paramref name="after"/>: it is planned
    /// when that campaign completes, and cancelled when it fails or is cancelled.
    /// </summary>
    /// <exception cref="CampaignValidationException">The draft is invalid or <paramref name="after"/> is unknown or already ended without completing.</exception>
    public Task<Campaign> CreatePushAsync(CampaignDraft draft, Guid? after, CancellationToken cancellationToken) =>
        CreateAsync(draft, CampaignKind.Push, null, cancellationToken, after);

    /// <summary>
    /// Validates and stores a campaign of <paramref name="kind"/> (payload attached to the message), then asks for it to be planned.
    /// Given an <paramref name="id"/> that exists, asks again for that campaign to be planned and returns it: the
    /// call is idempotent, for work that may run twice (a scheduler firing re-run on another host).
    /// </summary>
    /// <exception cref="CampaignValidationException">The draft is invalid; nothing was stored.</exception>
    public async Task<Campaign> CreateAsync(CampaignDraft draft, CampaignKind kind, string? payload, CancellationToken cancellationToken, Guid? after = null, Guid? id = null)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (id is { } known && await campaigns.GetAsync(known, cancellationToken) is { } existing)
        {
            // Planning ignores a campaign already planned, so the repeated message is harmless.
            await dispatcher.SendAsync([new PlanCampaign(existing.Id)], cancellationToken);
            return existing;
        }

        var errors = draft.Validate().ToList();
        CampaignStatus? afterStatus = after is { } a ? await campaigns.GetStatusAsync(a, cancellationToken) : null;
        if (after is not null && afterStatus is null)
        {
            errors.Add(("after", $"'{after}' is not a known campaign"));
        }
        else if (afterStatus is CampaignStatus.Cancelled or CampaignStatus.Failed)
        {
            errors.Add(("after", $"campaign {after} ended {afterStatus}; a follow-up of it would never start"));
        }

        if (draft.Segment is { Length: > 0 } segment && errors.All(e => e.Field != "audience.segment")
            && !await members.SegmentExistsAsync(segment, cancellationToken))
        {
            errors.Add(("audience.segment", $"'{segment}' is not a known segment"));
        }

        if (errors.Count > 0)
        {
            throw new CampaignValidationException(errors);
        }

        var campaign = await campaigns.CreateAsync(
            new NewCampaign(draft.Name!.Trim(), kind, draft.ParsedPriority(), draft.Segment, new CampaignMessage(draft.Title!, draft.Body!, payload),
                draft.ParsedChannels(), draft.ShardSize ?? ShardPlanner.DefaultShardSize, draft.MaxSendsPerSecond, AfterId: after, Id: id),
            time.GetUtcNow(),
            cancellationToken);
        await dispatcher.SendAsync([new PlanCampaign(campaign.Id)], cancellationToken);
        return campaign;
    }

    /// <summary>Stops taking new pages; shards release their leases at the next page boundary.</summary>
    public Task<Campaign> PauseAsync(Guid id, CancellationToken cancellationToken) =>
        campaigns.TransitionAsync(id, CampaignTrigger.Pause, time.GetUtcNow(), cancellationToken);

    /// <summary>Continues from the checkpoints: the pending shards are dispatched again.</summary>
    public async Task<Campaign> ResumeAsync(Guid id, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.TransitionAsync(id, CampaignTrigger.Resume, time.GetUtcNow(), cancellationToken);
        if (await dispatch.DispatchPendingAsync(campaign, cancellationToken) == 0)
        {
            // The last shards ended while it was paused: nothing left to send.
            if (CampaignStateMachine.IsTerminal(await shards.CompleteIfEndedAsync(id, time.GetUtcNow(), cancellationToken)))
            {
                await followUps.ReleaseAsync(id, cancellationToken);
            }

            campaign = await campaigns.GetAsync(id, cancellationToken) ?? campaign;
        }

        return campaign;
    }

    /// <summary>Stops for good: shards being worked finish their in-flight page; the others are cancelled now.</summary>
    public async Task<Campaign> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.TransitionAsync(id, CampaignTrigger.Cancel, time.GetUtcNow(), cancellationToken);
        await shards.CancelPendingAsync(id, cancellationToken);
        await followUps.ReleaseAsync(id, cancellationToken);
        return campaign;
    }

    /// <summary>
    /// Starts a follow-up pass over the members <paramref name="id"/> failed to reach, on the
    /// channels that failed, with the original idempotency keys; the pass has its own counts.
    /// </summary>
    /// <exception cref="IllegalTransitionException">The campaign has not ended yet.</exception>
    public async Task<Campaign> RetryFailedAsync(Guid id, CancellationToken cancellationToken)
    {
        var parent = await campaigns.GetAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"unknown campaign {id}");
        if (!CampaignStateMachine.IsTerminal(parent.Status))
        {
            throw new IllegalTransitionException($"cannot retry the failures of a campaign that is {parent.Status}; wait until it has ended");
        }

        var retry = await campaigns.CreateAsync(
            new NewCampaign($"{parent.Name} (retry failed)", CampaignKind.Retry, parent.Priority, null, parent.Message, parent.Channels,
                parent.ShardSize, parent.MaxSendsPerSecond, ParentId: parent.Id, RootId: parent.RootId),
            time.GetUtcNow(),
            cancellationToken);
        await dispatcher.SendAsync([new PlanCampaign(retry.Id)], cancellationToken);
        return retry;
    }
}
