using Promotion.Domain.Delivery;

namespace Promotion.Engine.Campaigns;

/// <summary>Outcomes of one page, folded into what a checkpoint records.</summary>
internal sealed class PageTally
{
    private readonly Dictionary<(DeliveryOutcome, string), long> _reasons = [];

    public int Sent { get; private set; }

    public int Failed { get; private set; }

    public int Skipped { get; private set; }

    public List<SendFailure> Failures { get; } = [];

    public IReadOnlyList<ReasonCount> Reasons => [.. _reasons.Select(r => new ReasonCount(r.Key.Item1, r.Key.Item2, r.Value))];

    /// <summary>Adds a member's outcome; <paramref name="failures"/> are its failed channels, <paramref name="reason"/> the one the campaign counts it under.</summary>
    public void Add(DeliveryOutcome outcome, string? reason, IEnumerable<SendFailure> failures)
    {
        switch (outcome)
        {
            case DeliveryOutcome.Sent:
                Sent++;
                return;
            case DeliveryOutcome.Failed:
                Failed++;
                Failures.AddRange(failures);
                break;
            default:
                Skipped++;
                break;
        }

        var key = (outcome, reason ?? "unknown");
        _reasons[key] = _reasons.GetValueOrDefault(key) + 1;
    }
}
