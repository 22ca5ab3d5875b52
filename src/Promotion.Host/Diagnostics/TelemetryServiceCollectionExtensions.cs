using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Nodes;

namespace Promotion.Host.Diagnostics;

/// <summary>
/// OTLP export of the engine's metrics (meter <c>Promotion</c>) plus ASP.NET Core, HttpClient and
/// runtime meters, and of logs with their scopes. OpenTelemetry.Extensions.Hosting does not
/// restore here, so the meter provider is built directly and owned by a hosted service that
/// flushes it on stop.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The meters exported besides the engine's own.</summary>
    public static readonly string[] Meters =
        [PromotionInstruments.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];

    /// <summary>
    /// Reads <see cref="TelemetryOptions"/> and, when an OTLP endpoint is configured, exports
    /// metrics (and logs, unless <c>Promotion:Telemetry:ExportLogs</c> is false). A malformed value
    /// stops the host with a message naming the key.
    /// </summary>
    public static WebApplicationBuilder AddPromotionTelemetry(this WebApplicationBuilder builder)
    {
        var options = Read(builder.Configuration);
        builder.Services.AddSingleton(options);
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddSingleton(sp =>
        {
            var identity = sp.GetRequiredService<NodeIdentity>();
            // The instruments' meter must exist before the provider starts listening; it is created with them.
            _ = sp.GetRequiredService<PromotionInstruments>();
            return Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => Describe(r, identity))
                .AddMeter(Meters)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, options, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                })
                .Build();
        });
        builder.Services.AddHostedService<TelemetryExport>();

        if (options.ExportLogs)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
                o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("promotion", serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"));
                o.AddOtlpExporter(exporter => Configure(exporter, options, "v1/logs"));
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

    private static (string Key, string? Value) First(IConfiguration configuration, string key, string standardKey) =>
        configuration[key] is { Length: > 0 } v ? (key, v.Trim())
        : configuration[standardKey] is { Length: > 0 } s ? (standardKey, s.Trim())
        : (key, null);

    private static void Describe(ResourceBuilder resource, NodeIdentity identity) =>
        resource.AddService("promotion", serviceInstanceId: identity.NodeId)
            .AddAttributes([new("promotion.roles", string.Join(",", identity.Roles))]);

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

    /// <summary>Starts the meter provider with the host and flushes and disposes it on stop.</summary>
    private sealed class TelemetryExport(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush(5_000);
            provider.Dispose();
            return Task.CompletedTask;
        }
    }
}
