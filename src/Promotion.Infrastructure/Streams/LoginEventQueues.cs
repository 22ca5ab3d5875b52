using System.Globalization;

namespace Promotion.Infrastructure.Streams;

/// <summary>Broker names of the login-event stream (the publishing contract in the README).</summary>
public static class LoginEventQueues
{
    /// <summary>The RabbitMQ exchange producers publish to (direct; routing key: the partition number).</summary>
    public const string Exchange = "promotion-login-events";

    /// <summary>Where batches go that could not be decided, with the reason in <see cref="ReasonHeader"/>.</summary>
    public const string DeadLetterQueue = "promotion-login-events.dead-letter";

    /// <summary>The header (RabbitMQ) or application property (Service Bus) naming why a batch was dead-lettered.</summary>
    public const string ReasonHeader = "promotion-reason";

    /// <summary>
    /// The header (RabbitMQ) or application property (Service Bus) with the W3C trace context of the
    /// publish, optional: the batch's coupon decision becomes a span of that trace.
    /// </summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The header naming the partition a dead-lettered batch came from.</summary>
    public const string PartitionHeader = "promotion-partition";

    /// <summary>The queue of partition <paramref name="partition"/>.</summary>
    public static string Queue(int partition) => Exchange + "." + partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>The routing key of partition <paramref name="partition"/>.</summary>
    public static string RoutingKey(int partition) => partition.ToString(CultureInfo.InvariantCulture);
}
