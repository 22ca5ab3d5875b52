using Orleans.Runtime;

namespace Promotion.Engine.Coupons;

/// <summary>
/// Names of the login-event stream: one Orleans stream provider, one stream namespace, and a
/// fixed number of partitions, each one stream (key: the partition number) on one queue, with one
/// subscriber grain (<see cref="LoginPartitionGrain"/>) per partition.
/// </summary>
public static class LoginStreams
{
    /// <summary>The Orleans stream provider carrying login events.</summary>
    public const string Provider = "login-events";

    /// <summary>The stream namespace the partition grains subscribe to implicitly.</summary>
    public const string Namespace = "login-events";

    /// <summary>The stream of partition <paramref name="partition"/>.</summary>
    public static StreamId Partition(int partition) => StreamId.Create(Namespace, partition.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The partition a stream of the namespace stands for; null for any other stream.</summary>
    public static int? PartitionOf(StreamId streamId) =>
        streamId.GetNamespace() == Namespace
        && int.TryParse(streamId.GetKeyAsString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? p
            : null;
}
