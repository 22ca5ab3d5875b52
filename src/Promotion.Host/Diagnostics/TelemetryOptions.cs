namespace Promotion.Host.Diagnostics;

/// <summary>
/// Export of metrics, traces (and logs) by OTLP, bound from <c>Promotion:Telemetry</c>; the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> are honoured too.
/// Nothing is exported unless an endpoint is set.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>OTLP collector URL (gRPC: <c>http://127.0.0.1:4317</c>; HTTP: <c>http://127.0.0.1:4318</c>).</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>True for OTLP over HTTP/protobuf, false for gRPC.</summary>
    public bool HttpProtobuf { get; init; }

    /// <summary>How often metrics and batches of spans are pushed.</summary>
    public TimeSpan ExportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Also export logs (with their campaign and shard scopes) to the collector.</summary>
    public bool ExportLogs { get; init; } = true;

    /// <summary>True when an endpoint is configured.</summary>
    public bool Enabled => OtlpEndpoint is not null;
}
