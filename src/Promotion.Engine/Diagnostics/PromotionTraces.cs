using System.Diagnostics;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;

namespace Promotion.Engine.Diagnostics;

/// <summary>
/// The engine's spans (activity source <c>Promotion</c>): a push campaign is one trace of a plan
/// span, a shard span per shard start (on whichever silo, the plan span's child through the
/// campaign's stored <see cref="Campaign.TraceParent"/>), a page span per page and a send span per
/// member and channel. A login event's coupon decision joins the trace of the request that accepted
/// it: a publish span there, and a decision span on the worker that decided its batch, the publish
/// span's child through the <c>traceparent</c> the event carried on the stream. Nothing is created
/// unless a listener (the OpenTelemetry tracer) samples the source.
/// </summary>
public static class PromotionTraces
{
    /// <summary>The activity source name to export.</summary>
    public const string SourceName = "Promotion";

    /// <summary>Span of planning a campaign into shards.</summary>
    public const string PlanSpan = "promotion.campaign.plan";

    /// <summary>Span of one start of a shard, until it ends or is given back.</summary>
    public const string ShardSpan = "promotion.shard";

    /// <summary>Span of one page of a shard: read, sent, checkpointed.</summary>
    public const string PageSpan = "promotion.page";

    /// <summary>Span of one send (retries included) to one member on one channel.</summary>
    public const string SendSpan = "promotion.send";

    /// <summary>Span of putting a batch of login events on the login-event stream.</summary>
    public const string LoginPublishSpan = "promotion.login.publish";

    /// <summary>Span of deciding a delivered batch of login events into coupons, on the partition's grain.</summary>
    public const string CouponDecisionSpan = "promotion.coupon.decide";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the plan span of <paramref name="campaign"/>, a child of the current activity (the call that created or resumed it).</summary>
    public static Activity? StartPlan(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var span = Source.StartActivity(PlanSpan, ActivityKind.Internal);
        span?.SetTag("promotion.campaign.id", campaign.Id.ToString())
            .SetTag("promotion.campaign.kind", campaign.Kind.ToString());
        return span;
    }

    /// <summary>
    /// Starts the span of one start of <paramref name="shard"/> as a child of the campaign's plan span
    /// (a root when the campaign was not traced), whatever call woke the shard.
    /// </summary>
    public static Activity? StartShard(Campaign campaign, ShardWork shard, string silo)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(shard);
        // The wake call that started the loop is not the shard's parent: detach from it first.
        Activity.Current = null;
        ActivityContext.TryParse(campaign.TraceParent, null, isRemote: true, out var parent);
        var span = Source.StartActivity(ShardSpan, ActivityKind.Internal, parent);
        span?.SetTag("promotion.campaign.id", campaign.Id.ToString())
            .SetTag("promotion.shard.no", shard.ShardNo)
            .SetTag("promotion.shard.epoch", shard.Epoch)
            .SetTag("promotion.shard.attempts", shard.Attempts)
            .SetTag("promotion.silo", silo);
        return span;
    }

    /// <summary>Starts the span of one page after <paramref name="cursor"/>, a child of the shard span.</summary>
    public static Activity? StartPage(Guid campaignId, int shardNo, long cursor)
    {
        var span = Source.StartActivity(PageSpan, ActivityKind.Internal);
        span?.SetTag("promotion.campaign.id", campaignId.ToString())
            .SetTag("promotion.shard.no", shardNo)
            .SetTag("promotion.page.after", cursor);
        return span;
    }

    /// <summary>Records what the page did on its span.</summary>
    public static void EndPage(Activity? span, int members, int sent, int failed, int skipped) =>
        span?.SetTag("promotion.page.members", members)
            .SetTag("promotion.page.sent", sent)
            .SetTag("promotion.page.failed", failed)
            .SetTag("promotion.page.skipped", skipped);

    /// <summary>Starts the span of one send, a child of the push call of its page.</summary>
    public static Activity? StartSend(Guid campaignId, long memberId, Channel channel)
    {
        var span = Source.StartActivity(SendSpan, ActivityKind.Internal);
        span?.SetTag("promotion.campaign.id", campaignId.ToString())
            .SetTag("promotion.member.id", memberId)
            .SetTag("promotion.channel", channel.ToWire());
        return span;
    }

    /// <summary>Records a send's final outcome (and why it failed) on its span.</summary>
    public static void EndSend(Activity? span, DeliveryOutcome outcome, string? reason)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("promotion.outcome", outcome.ToString().ToLowerInvariant());
        if (outcome == DeliveryOutcome.Failed)
        {
            span.SetStatus(ActivityStatusCode.Error, reason);
        }
    }

    /// <summary>
    /// Starts the span of publishing <paramref name="events"/> logins to <paramref name="partition"/>,
    /// a child of the current activity (the ingestion request), and returns the <c>traceparent</c>
    /// the events carry: this span's, or the current activity's when the source is not sampled.
    /// </summary>
    public static Activity? StartLoginPublish(int partition, int events, out string? traceParent)
    {
        var span = Source.StartActivity(LoginPublishSpan, ActivityKind.Producer);
        span?.SetTag("promotion.login.partition", partition)
            .SetTag("promotion.login.events", events);
        traceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;
        return span;
    }

    /// <summary>
    /// Starts the span of deciding a delivered batch of <paramref name="events"/>: a child of the
    /// publish span the first of them names, linked to the publish spans of any others (a delivery
    /// may join several messages); a root when none was traced.
    /// </summary>
    public static Activity? StartCouponDecision(string partition, IReadOnlyList<Coupons.LoginEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!Source.HasListeners())
        {
            return null;
        }

        // The stream delivery that runs this is not the decision's parent: the publish is.
        Activity.Current = null;
        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        string? first = null;
        foreach (var e in events)
        {
            if (e.TraceParent is not { } traceParent || traceParent == first || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var context))
            {
                continue;
            }

            if (first is null)
            {
                first = traceParent;
                parent = context;
            }
            else if (links is null || !links.Exists(l => l.Context == context))
            {
                (links ??= []).Add(new ActivityLink(context));
            }
        }

        var span = Source.StartActivity(CouponDecisionSpan, ActivityKind.Consumer, parent, links: links);
        span?.SetTag("promotion.login.partition", partition)
            .SetTag("promotion.login.events", events.Count);
        return span;
    }

    /// <summary>Records on the decision span how many coupons the batch issued.</summary>
    public static void EndCouponDecision(Activity? span, int issued) => span?.SetTag("promotion.coupons.issued", issued);
}
