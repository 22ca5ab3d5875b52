using System.Diagnostics;
using System.Diagnostics.Metrics;
using Promotion.Domain.Delivery;

namespace Promotion.Engine.Diagnostics;

/// <summary>
/// Every metric the engine records, in one place (meter <c>Promotion</c>). Names and units are
/// listed in the README.
/// </summary>
public sealed class PromotionInstruments : IDisposable
{
    /// <summary>The meter name to export.</summary>
    public const string MeterName = "Promotion";

    private readonly Meter _meter;
    private readonly Counter<long> _sends;
    private readonly Histogram<double> _sendDuration;
    private readonly Counter<long> _couponDecisions;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public PromotionInstruments(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        MembersImported = _meter.CreateCounter<long>("promotion.members.imported", "{member}", "Members bulk-loaded into the directory");
        _sends = _meter.CreateCounter<long>("promotion.sends", "{send}", "Sends by channel and final outcome (after retries)");
        SendAttempts = _meter.CreateCounter<long>("promotion.send.attempts", "{attempt}", "Calls made to senders, retries included");
        _sendDuration = _meter.CreateHistogram<double>("promotion.send.duration", "ms", "Time from taking an in-flight slot to the final outcome of a send");
        ShardsActive = _meter.CreateUpDownCounter<long>("promotion.shards.active", "{shard}", "Shards leased and being worked on this host");
        ShardsEnded = _meter.CreateCounter<long>("promotion.shards.ended", "{shard}", "Shards ended, by final status");
        CampaignsPlanned = _meter.CreateCounter<long>("promotion.campaigns.planned", "{campaign}", "Campaigns planned into shards");
        ShardsPlanned = _meter.CreateCounter<long>("promotion.shards.planned", "{shard}", "Shards written by planners");
        HotGoodsFirings = _meter.CreateCounter<long>("promotion.hotgoods.firings", "{firing}", "Hot-goods firings run by this host, by outcome (campaign, nogoods, failed)");
        SendsInFlight = _meter.CreateUpDownCounter<long>("promotion.sends.in_flight", "{send}", "Sends holding an in-flight slot on this host");
        LoginEvents = _meter.CreateCounter<long>("promotion.login.events", "{event}", "Login events taken by the coupon issuer, by outcome (accepted, malformed, unknown_member)");
        _couponDecisions = _meter.CreateCounter<long>("promotion.coupon.decisions", "{decision}", "Coupon decisions per login and coupon campaign, by outcome");
        CouponsWritten = _meter.CreateCounter<long>("promotion.coupons.written", "{coupon}", "Issued coupons written to the store, by result (inserted, existing, refused)");
        CouponLedgerRestores = _meter.CreateCounter<long>("promotion.coupon.ledger.restores", "{restore}", "Restores of the coupon ledger (Redis) from the store done by this host");
    }

    /// <summary>Members bulk-loaded into the directory.</summary>
    public Counter<long> MembersImported { get; }

    /// <summary>Calls made to senders, retries included.</summary>
    public Counter<long> SendAttempts { get; }

    /// <summary>Shards leased and being worked on this host.</summary>
    public UpDownCounter<long> ShardsActive { get; }

    /// <summary>Shards ended, tagged with <c>status</c>.</summary>
    public Counter<long> ShardsEnded { get; }

    /// <summary>Campaigns planned.</summary>
    public Counter<long> CampaignsPlanned { get; }

    /// <summary>Shards written by planners.</summary>
    public Counter<long> ShardsPlanned { get; }

    /// <summary>Hot-goods firings run by this host, tagged with <c>outcome</c>.</summary>
    public Counter<long> HotGoodsFirings { get; }

    /// <summary>Sends holding an in-flight slot on this host (the fan-out's window in use).</summary>
    public UpDownCounter<long> SendsInFlight { get; }

    /// <summary>Login events taken by the coupon issuer, tagged with <c>outcome</c>.</summary>
    public Counter<long> LoginEvents { get; }

    /// <summary>Issued coupons written to the store, tagged with <c>result</c>.</summary>
    public Counter<long> CouponsWritten { get; }

    /// <summary>Coupon ledger restores done by this host.</summary>
    public Counter<long> CouponLedgerRestores { get; }

    /// <summary>
    /// Sender calls per campaign on this silo, read through its load grain so API hosts can derive
    /// each campaign's cluster-wide send rate (the rate limit counts calls, so this is what it is
    /// compared with). Not a metric tag: a campaign id per series would explode exporters.
    /// </summary>
    public CampaignSendTally CampaignAttempts { get; } = new();

    /// <summary>Records one call to a sender for <paramref name="campaignId"/>.</summary>
    public void RecordAttempt(Guid campaignId)
    {
        SendAttempts.Add(1);
        CampaignAttempts.Increment(campaignId);
    }

    /// <summary>Records one send's final outcome and how long it took.</summary>
    public void RecordSend(Channel channel, DeliveryOutcome outcome, TimeSpan duration)
    {
        var tags = new TagList { { "channel", channel.ToWire() }, { "outcome", outcome.ToString().ToLowerInvariant() } };
        _sends.Add(1, tags);
        _sendDuration.Record(duration.TotalMilliseconds, tags);
    }

    /// <summary>Records <paramref name="count"/> coupon decisions with <paramref name="outcome"/> (snake_case, e.g. sold_out).</summary>
    public void RecordCouponDecisions(string outcome, long count) =>
        _couponDecisions.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
