using Orleans;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// What operators do to campaigns (the admin API calls these): validate, then hand the campaign to
/// its <see cref="ICampaignGrain"/>, which stores it, plans it on a worker silo and runs it.
/// </summary>
public sealed class CampaignCommands(
    ICampaignStore campaigns,
    IMemberDirectory members,
    IGrainFactory grains,
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
    /// Validates and stores a campaign of <paramref name="kind"/> (payload attached to the message), and starts it.
    /// Given an <paramref name="id"/> that exists, starts that campaign again (harmless) and returns it: the
    /// call is idempotent, for work that may run twice (a scheduler firing re-run on another host).
    /// </summary>
    /// <exception cref="CampaignValidationException">The draft is invalid; nothing was stored.</exception>
    public async Task<Campaign> CreateAsync(CampaignDraft draft, CampaignKind kind, string? payload, CancellationToken cancellationToken, Guid? after = null, Guid? id = null)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (id is { } known && await campaigns.GetAsync(known, cancellationToken) is { } existing)
        {
            await grains.GetGrain<ICampaignGrain>(known).StartAsync();
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

        var newId = id ?? Guid.CreateVersion7(time.GetUtcNow());
        return await StartNewAsync(
            new NewCampaign(draft.Name!.Trim(), kind, draft.ParsedPriority(), draft.Segment, new CampaignMessage(draft.Title!, draft.Body!, payload),
                draft.ParsedChannels(), draft.ShardSize ?? ShardPlanner.DefaultShardSize, draft.MaxSendsPerSecond, AfterId: after, Id: newId),
            cancellationToken);
    }

    /// <summary>Stops taking new pages: running shards stop at their next page boundary, at a checkpoint.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    /// <exception cref="IllegalTransitionException">The state machine refuses it.</exception>
    public Task<Campaign> PauseAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, grain => grain.PauseAsync(), cancellationToken);

    /// <summary>Continues from the shards' checkpoints.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    /// <exception cref="IllegalTransitionException">The state machine refuses it.</exception>
    public Task<Campaign> ResumeAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, grain => grain.ResumeAsync(), cancellationToken);

    /// <summary>Stops for good: shards being worked finish their in-flight page; the others are cancelled now.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    /// <exception cref="IllegalTransitionException">The state machine refuses it.</exception>
    public Task<Campaign> CancelAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, grain => grain.CancelAsync(), cancellationToken);

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

        return await StartNewAsync(
            new NewCampaign($"{parent.Name} (retry failed)", CampaignKind.Retry, parent.Priority, null, parent.Message, parent.Channels,
                parent.ShardSize, parent.MaxSendsPerSecond, ParentId: parent.Id, RootId: parent.RootId, Id: Guid.CreateVersion7(time.GetUtcNow())),
            cancellationToken);
    }

    private async Task<Campaign> StartNewAsync(NewCampaign campaign, CancellationToken cancellationToken)
    {
        var id = campaign.Id!.Value;
        await grains.GetGrain<ICampaignGrain>(id).CreateAsync(campaign);
        return await campaigns.GetAsync(id, cancellationToken) ?? throw new InvalidOperationException($"campaign {id} was not stored");
    }

    private async Task<Campaign> ChangeAsync(Guid id, Func<ICampaignGrain, Task<CampaignChange>> change, CancellationToken cancellationToken)
    {
        // An unknown id is answered from the store: it needs no grain (nor a worker silo to host one).
        if (await campaigns.GetStatusAsync(id, cancellationToken) is null)
        {
            throw new KeyNotFoundException($"unknown campaign {id}");
        }

        var result = await change(grains.GetGrain<ICampaignGrain>(id));
        if (!result.Found)
        {
            throw new KeyNotFoundException($"unknown campaign {id}");
        }

        if (result.Refusal is { } refusal)
        {
            throw new IllegalTransitionException(refusal);
        }

        return await campaigns.GetAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"unknown campaign {id}");
    }
}
