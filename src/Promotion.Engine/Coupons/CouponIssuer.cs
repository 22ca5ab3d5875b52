using Microsoft.Extensions.Logging;
using Promotion.Domain.Coupons;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Members;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Issues lazy coupons from a batch of login events: reads the members' segments in one query,
/// lets the ledger decide each login against every coupon campaign at once (restoring the ledger
/// first if it came back empty), writes the coupons it issued to the store and only then lets
/// the message be acked.
/// </summary>
/// <remarks>
/// Exactly once: the ledger's record is the decision, and it stays "pending" until the store has
/// the coupon. A message delivered again (its first handler died before the write) meets
/// "pending" and writes the same coupon, with the same derived id, which the store's unique key
/// turns into a no-op if it got there after all. Members whose coupon is written cost no write on
/// later logins.
/// </remarks>
internal sealed partial class CouponIssuer(
    IMemberDirectory members,
    ICouponLedger ledger,
    CouponLedgerRestorer restorer,
    IssuedCouponWriter writer,
    PromotionInstruments instruments,
    TimeProvider time,
    ILogger<CouponIssuer> logger) : IJobMessageHandler<LoginEventBatch>
{
    private const int MaxRestoreRounds = 3;
    private const int MaxReasons = 20;

    public async Task HandleAsync(LoginEventBatch message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Events is null)
        {
            instruments.LoginEvents.Add(1, Outcome("malformed"));
            throw new UnprocessableMessageException("the message has no events array ({\"events\": [{\"memberId\": 1, \"at\": \"2026-05-01T12:00:00Z\"}]})");
        }

        if (message.Events.Count > LoginEventRules.MaxBatch)
        {
            instruments.LoginEvents.Add(message.Events.Count, Outcome("malformed"));
            throw new UnprocessableMessageException($"a batch holds at most {LoginEventRules.MaxBatch:N0} login events; this one has {message.Events.Count:N0}");
        }

        var problems = new List<string>();
        var valid = new List<LoginEvent>(message.Events.Count);
        for (var i = 0; i < message.Events.Count; i++)
        {
            var e = message.Events[i];
            var problem = e is null ? "the event is null" : LoginEventRules.Problem(e.MemberId, e.At)?.Message;
            if (problem is null)
            {
                valid.Add(e!);
            }
            else
            {
                problems.Add($"[{i}].{problem}");
            }
        }

        instruments.LoginEvents.Add(valid.Count, Outcome("accepted"));
        instruments.LoginEvents.Add(problems.Count, Outcome("malformed"));
        if (valid.Count > 0)
        {
            await IssueAsync(valid, cancellationToken);
        }

        if (problems.Count > 0)
        {
            // The good events are handled; the message goes to the error queue with the reason, and
            // handing it in again later is harmless because issuing is idempotent.
            LogMalformed(logger, problems.Count, valid.Count);
            throw new UnprocessableMessageException(
                $"{problems.Count} malformed login event(s): {string.Join("; ", problems.Take(MaxReasons))}{(problems.Count > MaxReasons ? "; ..." : string.Empty)}");
        }
    }

    private async Task IssueAsync(List<LoginEvent> events, CancellationToken cancellationToken)
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
            return;
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
                throw new InvalidOperationException($"the coupon ledger was empty again after {MaxRestoreRounds} restores; the message will be retried");
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Malformed} malformed login events moved to the error queue; the {Valid} others were handled")]
    private static partial void LogMalformed(ILogger logger, int malformed, int valid);
}
