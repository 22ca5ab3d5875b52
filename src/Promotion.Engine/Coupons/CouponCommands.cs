using Microsoft.Extensions.Logging;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Coupons;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Engine.Coupons;

/// <summary>
/// What operators, members and the account system do with lazy coupons (the admin API calls
/// these): create and stop coupon campaigns, claim and redeem coupons, hand in login events.
/// </summary>
public sealed partial class CouponCommands(
    ICouponStore store,
    ICouponLedger ledger,
    IMemberDirectory members,
    ILoginEventPublisher publisher,
    TimeProvider time,
    ILogger<CouponCommands> logger)
{
    /// <summary>Validates and stores a coupon campaign, then mirrors it to the ledger so logins see it at once.</summary>
    /// <exception cref="CampaignValidationException">The draft is invalid; nothing was stored.</exception>
    public async Task<CouponCampaign> CreateAsync(CouponCampaignDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = draft.Validate(time.GetUtcNow()).ToList();
        if (draft.Segment is { Length: > 0 } segment && errors.All(e => e.Field != "audience.segment")
            && !await members.SegmentExistsAsync(segment, cancellationToken))
        {
            errors.Add(("audience.segment", $"'{segment}' is not a known segment"));
        }

        if (errors.Count > 0)
        {
            throw new CampaignValidationException(errors);
        }

        var campaign = await store.CreateCampaignAsync(
            new NewCouponCampaign(draft.Name!.Trim(), draft.Segment, draft.ValidFrom!.Value, draft.ValidTo!.Value, draft.Stock,
                new CouponBenefit(draft.Title!.Trim(), draft.Amount, draft.Percent, draft.MinSpend)),
            time.GetUtcNow(),
            cancellationToken);
        try
        {
            await ledger.PutCampaignAsync(campaign.Rule, campaign.StockLeft, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store has it; the workers' mirror puts it into the ledger within MirrorInterval.
            LogMirrorFailed(logger, campaign.Id, ex);
        }

        return campaign;
    }

    /// <summary>Stops issuing a campaign's coupons; coupons already issued stay valid. Stopping twice changes nothing.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public async Task<CouponCampaign> StopAsync(Guid id, CancellationToken cancellationToken)
    {
        var campaign = await store.StopCampaignAsync(id, time.GetUtcNow(), cancellationToken);
        try
        {
            await ledger.RemoveCampaignAsync(id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logins may still be issued until the workers' mirror drops it (within MirrorInterval).
            LogMirrorFailed(logger, id, ex);
        }

        return campaign;
    }

    /// <summary>The member takes the coupon; claiming a claimed coupon changes nothing.</summary>
    /// <exception cref="KeyNotFoundException">No such coupon.</exception>
    /// <exception cref="IllegalTransitionException">The coupon is redeemed or expired.</exception>
    public Task<Coupon> ClaimAsync(Guid couponId, CancellationToken cancellationToken) =>
        store.TransitionCouponAsync(couponId, CouponTrigger.Claim, null, time.GetUtcNow(), cancellationToken);

    /// <summary>Uses a claimed coupon on <paramref name="orderId"/>; redeeming again with the same order changes nothing.</summary>
    /// <exception cref="CampaignValidationException">The order id is missing or too long.</exception>
    /// <exception cref="KeyNotFoundException">No such coupon.</exception>
    /// <exception cref="IllegalTransitionException">Not claimed, expired, or redeemed with another order.</exception>
    public Task<Coupon> RedeemAsync(Guid couponId, string? orderId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(orderId))
        {
            throw new CampaignValidationException([("orderId", "orderId is required")]);
        }

        if (orderId.Length > CouponLifecycle.MaxOrderIdLength)
        {
            throw new CampaignValidationException([("orderId", $"orderId must be at most {CouponLifecycle.MaxOrderIdLength} characters")]);
        }

        return store.TransitionCouponAsync(couponId, CouponTrigger.Redeem, orderId, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>
    /// Queues a batch of login events on the login-event stream; returns once the broker has them
    /// durably (publisher confirm), so an accepted batch is never lost.
    /// </summary>
    /// <exception cref="CampaignValidationException">The batch is empty, too large, or has a malformed event; nothing was queued.</exception>
    public async Task AcceptLoginsAsync(IReadOnlyList<LoginEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var errors = new List<(string, string)>();
        if (events.Count == 0)
        {
            errors.Add(("body", "send at least one login event"));
        }
        else if (events.Count > LoginEventRules.MaxBatch)
        {
            errors.Add(("body", $"a batch holds at most {LoginEventRules.MaxBatch:N0} login events; this one has {events.Count:N0}"));
        }

        for (var i = 0; i < events.Count && errors.Count < 50; i++)
        {
            if (LoginEventRules.Problem(events[i].MemberId, events[i].At) is { } problem)
            {
                errors.Add(($"[{i}].{problem.Field}", $"[{i}].{problem.Message}"));
            }
        }

        if (errors.Count > 0)
        {
            throw new CampaignValidationException(errors);
        }

        await publisher.PublishAsync(events, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Coupon campaign {CouponCampaignId} is stored but the ledger (Redis) did not take the change; the workers' mirror will")]
    private static partial void LogMirrorFailed(ILogger logger, Guid couponCampaignId, Exception exception);
}
