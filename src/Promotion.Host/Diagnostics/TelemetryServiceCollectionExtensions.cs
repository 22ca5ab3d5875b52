using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Nodes;

namespace Promotion.Host.Diagnostics;

/// <summary>
/// OpenTelemetry through OpenTelemetry.Extensions.Hosting, exported by OTLP when an endpoint is
/// configured: the engine's metrics (meter <c>Promotion</c>) and spans (source <c>Promotion</c>:
/// campaign plan, shard, page, send), Orleans' own meter and grain-call spans, ASP.NET Core,
/// HttpClient, Npgsql and runtime instrumentation, and logs with their campaign and shard scopes.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>Orleans' meter (grain calls, activations, messaging).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The meters exported: the engine's and Orleans' own, and those the instrumentations add.</summary>
    public static readonly string[] Meters =
        [PromotionInstruments.MeterName, OrleansMeter, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime", "Npgsql"];

    /// <summary>The activity sources exported: the engine's and Orleans' grain-call spans.</summary>
    public static readonly string[] Sources =
        [PromotionTraces.SourceName, Orleans.Diagnostics.ActivitySources.RuntimeActivitySourceName, Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName];

    /// <summary>
    /// Reads <see cref="TelemetryOptions"/> and, when an OTLP endpoint is configured, exports
    /// metrics and traces (and logs, unless <c>Promotion:Telemetry:ExportLogs</c> is false). A
    /// malformed value stops the host with a message naming the key.
    /// </summary>
    public static WebApplicationBuilder AddPromotionTelemetry(this WebApplicationBuilder builder, NodeIdentity identity)
    {
        var options = Read(builder.Configuration);
        builder.Services.AddSingleton(options);
        if (!options.Enabled)
        {
            return builder;
        }

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("promotion", serviceInstanceId: identity.NodeId)
                .AddAttributes([new("promotion.roles", string.Join(",", identity.Roles))]))
            .WithMetrics(metrics => metrics
                .AddMeter(PromotionInstruments.MeterName, OrleansMeter)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, options, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                }))
            .WithTracing(tracing => tracing
                .AddSource(Sources)
                // Probes and the dashboard's polling are not worth a trace each.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsPolling(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(exporter =>
                {
                    Configure(exporter, options, "v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                }));
        if (options.ExportLogs)
        {
            otel.WithLogging(
                logging => logging.AddOtlpExporter(exporter => Configure(exporter, options, "v1/logs")),
                logOptions =>
                {
                    logOptions.IncludeScopes = true;
                    logOptions.IncludeFormattedMessage = true;
                });
        }

        return builder;
    }

    internal static TelemetryOptions Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var (endpointKey, endpointText) = First(configuration, "Promotion:Telemetry:OtlpEndpoint", "OTEL_EXPORTER_OTLP_ENDPOINT");
        Uri? endpoint = null;
        if (endpointText is not null && !(Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) && endpoint.Scheme is "http" or "https"))
        {
            errors.Add($"{endpointKey}: '{endpointText}' is not an absolute http(s) URL");
        }

        var (protocolKey, protocol) = First(configuration, "Promotion:Telemetry:OtlpProtocol", "OTEL_EXPORTER_OTLP_PROTOCOL");
        if (protocol is not (null or "grpc" or "http/protobuf"))
        {
            errors.Add($"{protocolKey}: '{protocol}' is not an OTLP protocol; use grpc or http/protobuf");
        }

        var interval = TimeSpan.FromSeconds(10);
        if (configuration["Promotion:Telemetry:ExportInterval"] is { Length: > 0 } intervalText
            && !(TimeSpan.TryParse(intervalText, System.Globalization.CultureInfo.InvariantCulture, out interval) && interval >= TimeSpan.FromMilliseconds(100)))
        {
            errors.Add($"Promotion:Telemetry:ExportInterval: '{intervalText}' must be a time span of at least 00:00:00.100");
        }

        var exportLogs = true;
        if (configuration["Promotion:Telemetry:ExportLogs"] is { Length: > 0 } logsText && !bool.TryParse(logsText, out exportLogs))
        {
            errors.Add($"Promotion:Telemetry:ExportLogs: '{logsText}' must be true or false");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Promotion:Telemetry", typeof(TelemetryOptions), errors);
        }

        return new TelemetryOptions { OtlpEndpoint = endpoint, HttpProtobuf = protocol == "http/protobuf", ExportInterval = interval, ExportLogs = exportLogs };
    }

    private static bool IsPolling(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/alive") || path.StartsWithSegments("/api/stats") || path.StartsWithSegments("/dashboard");

    private static (string Key, string? Value) First(IConfiguration configuration, string key, string standardKey) =>
        configuration[key] is { Length: > 0 } v ? (key, v.Trim())
        : configuration[standardKey] is { Length: > 0 } s ? (standardKey, s.Trim())
        : (key, null);

    // Set in code, the HTTP endpoint is used as given, so the signal's path is added when absent.
    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        exporter.Protocol = options.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        var endpoint = options.OtlpEndpoint!;
        if (options.HttpProtobuf && endpoint.AbsolutePath is "" or "/")
        {
            endpoint = new Uri(endpoint, signalPath);
        }

        exporter.Endpoint = endpoint;
    }
}
