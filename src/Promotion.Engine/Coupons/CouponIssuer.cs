using Microsoft.Extensions.Logging;
using Promotion.Domain.Coupons;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Members;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Issues lazy coupons from a batch of login events (what one partition's subscriber grain took
/// from its stream): reads the members' segments in one query, lets the ledger decide the whole
/// batch against every coupon campaign at once (restoring the ledger first if it came back
/// empty), writes the coupons it issued to the store and only then returns, so the delivery
/// completes, and the message is acknowledged, only after both.
/// </summary>
/// <remarks>
/// Exactly once: the ledger's record is the decision, and it stays "pending" until the store has
/// the coupon. A batch delivered again (its first delivery failed, or the silo reading it died
/// before acknowledging) meets "pending" and writes the same coupon, with the same derived id,
/// which the store's unique key turns into a no-op if it got there after all. Members whose
/// coupon is written cost no write on later logins.
/// </remarks>
internal sealed partial class CouponIssuer(
    IMemberDirectory members,
    ICouponLedger ledger,
    CouponLedgerRestorer restorer,
    IssuedCouponWriter writer,
    PromotionInstruments instruments,
    TimeProvider time,
    ILogger<CouponIssuer> logger)
{
    private const int MaxRestoreRounds = 3;

    /// <summary>
    /// Decides and writes <paramref name="events"/>; throws (and the delivery is retried) when
    /// the ledger or the store fails. Malformed events (only a producer bypassing the ingestion
    /// checks can send them) are counted and left out, never failing the batch. Returns how many
    /// coupons the batch newly issued.
    /// </summary>
    public async Task<int> IssueAsync(IReadOnlyList<LoginEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var valid = new List<LoginEvent>(events.Count);
        foreach (var e in events)
        {
            if (e is not null && LoginEventRules.Problem(e.MemberId, e.At) is null)
            {
                valid.Add(e);
            }
        }

        instruments.LoginEvents.Add(valid.Count, Outcome("accepted"));
        if (valid.Count < events.Count)
        {
            instruments.LoginEvents.Add(events.Count - valid.Count, Outcome("malformed"));
            LogMalformed(logger, events.Count - valid.Count, valid.Count);
        }

        return valid.Count > 0 ? await IssueAsync(valid, cancellationToken) : 0;
    }

    private async Task<int> IssueAsync(List<LoginEvent> events, CancellationToken cancellationToken)
    {
        var known = (await members.GetManyAsync([.. events.Select(e => e.MemberId).Distinct()], cancellationToken)).ToDictionary(m => m.Id);
        var checks = new List<LoginCheck>(events.Count);
        foreach (var e in events)
        {
            if (known.TryGetValue(e.MemberId, out var member))
            {
                checks.Add(new LoginCheck(e.MemberId, e.At, member.Segments));
            }
        }

        if (checks.Count < events.Count)
        {
            // Not in the directory: no segments to decide with and nobody to hold a coupon.
            instruments.LoginEvents.Add(events.Count - checks.Count, Outcome("unknown_member"));
        }

        if (checks.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var decisions = await DecideAsync(checks, now, cancellationToken);
        var toWrite = new Dictionary<CouponKey, IssuedCoupon>();
        var counts = new int[Enum.GetValues<CouponDecisionOutcome>().Length];
        foreach (var decision in decisions)
        {
            foreach (var (campaignId, outcome) in decision.Campaigns)
            {
                counts[(int)outcome]++;
                if (outcome is CouponDecisionOutcome.Issued or CouponDecisionOutcome.IssuedPending)
                {
                    toWrite.TryAdd(new CouponKey(campaignId, decision.MemberId), IssuedCoupon.For(campaignId, decision.MemberId, now));
                }
            }
        }

        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                instruments.RecordCouponDecisions(OutcomeName((CouponDecisionOutcome)i), counts[i]);
            }
        }

        if (toWrite.Count > 0)
        {
            var result = await writer.WriteAsync([.. toWrite.Values], cancellationToken);
            if (result.Refused.Count > 0)
            {
                LogRefused(logger, result.Refused.Count);
                await ledger.RevokeAsync(result.Refused, cancellationToken);
            }

            await ledger.MarkWrittenAsync([.. result.Inserted, .. result.Existing], cancellationToken);
        }

        LogHandled(logger, events.Count, counts[(int)CouponDecisionOutcome.Issued], toWrite.Count);
        return counts[(int)CouponDecisionOutcome.Issued];
    }

    // Logins the ledger could not decide because it was empty are decided again after a restore.
    private async Task<List<LoginDecision>> DecideAsync(List<LoginCheck> checks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var decided = new List<LoginDecision>(checks.Count);
        var pending = checks;
        for (var round = 0; ; round++)
        {
            var results = await ledger.DecideAsync(pending, now, cancellationToken);
            var again = new List<LoginCheck>();
            for (var i = 0; i < pending.Count; i++)
            {
                if (results[i] is { } decision)
                {
                    decided.Add(decision);
                }
                else
                {
                    again.Add(pending[i]);
                }
            }

            if (again.Count == 0)
            {
                return decided;
            }

            if (round == MaxRestoreRounds)
            {
                throw new InvalidOperationException($"the coupon ledger was empty again after {MaxRestoreRounds} restores; the batch will be delivered again");
            }

            await restorer.EnsureRestoredAsync(cancellationToken);
            pending = again;
        }
    }

    private static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);

    private static string OutcomeName(CouponDecisionOutcome outcome) => outcome switch
    {
        CouponDecisionOutcome.Issued => "issued",
        CouponDecisionOutcome.IssuedPending => "issued_pending",
        CouponDecisionOutcome.AlreadyIssued => "already_issued",
        CouponDecisionOutcome.SoldOut => "sold_out",
        CouponDecisionOutcome.OutsideWindow => "outside_window",
        _ => "not_in_segment",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Login batch handled: {Events} events, {Issued} coupons issued, {Written} written")]
    private static partial void LogHandled(ILogger logger, int events, int issued, int written);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store refused {Count} coupons the ledger issued (stock used up there, after the ledger lost decisions); taking them back")]
    private static partial void LogRefused(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Malformed} malformed login events left out of a batch; the {Valid} others are decided")]
    private static partial void LogMalformed(ILogger logger, int malformed, int valid);
}
