using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Promotion.Host.Diagnostics;
using Promotion.TestSupport;

namespace Promotion.Host.Tests.Dashboard;

/// <summary>Run alone: a loaded machine (the other test classes start hosts in parallel) starves the loopback collector.</summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Metrics_are_exported_by_otlp_to_the_configured_endpoint()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var factory = PromotionHostFactory.Embedded(
            ("Promotion:Telemetry:OtlpEndpoint", collector.Url),
            ("Promotion:Telemetry:OtlpProtocol", "http/protobuf"),
            ("Promotion:Telemetry:ExportInterval", "00:00:00.200"),
            ("Promotion:Telemetry:ExportLogs", "false"));
        using var client = factory.CreateClient();

        // The demo campaign sends: the send counter and latency histogram reach the collector.
        await Eventually.TrueAsync(() => collector.Received("/v1/metrics", "promotion.sends") && collector.Received("/v1/metrics", "promotion.send.duration"),
            TimeSpan.FromSeconds(90), "an OTLP metrics export with the send instruments; got " + collector.Describe());
        Assert.True(collector.Received("/v1/metrics", "promotion.shards.active"));
    }

    [Fact]
    public void Nothing_is_exported_unless_an_endpoint_is_configured_and_the_standard_variable_counts()
    {
        Assert.False(TelemetryServiceCollectionExtensions.Read(Config()).Enabled);

        var standard = TelemetryServiceCollectionExtensions.Read(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")));
        Assert.Equal(new Uri("http://127.0.0.1:4317"), standard.OtlpEndpoint);
        Assert.False(standard.HttpProtobuf);

        var own = TelemetryServiceCollectionExtensions.Read(Config(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"), ("Promotion:Telemetry:OtlpEndpoint", "http://collector:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));
        Assert.Equal(new Uri("http://collector:4318"), own.OtlpEndpoint);
        Assert.True(own.HttpProtobuf);
    }

    [Fact]
    public void A_malformed_setting_stops_the_host_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => TelemetryServiceCollectionExtensions.Read(Config(
            ("Promotion:Telemetry:OtlpEndpoint", "collector:4317"), ("Promotion:Telemetry:OtlpProtocol", "udp"))));
        Assert.Contains(ex.Failures, f => f.StartsWith("Promotion:Telemetry:OtlpEndpoint", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Promotion:Telemetry:OtlpProtocol", StringComparison.Ordinal));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    /// <summary>A loopback OTLP/HTTP endpoint that keeps every body it receives.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private OtlpCollector(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                collector._received.Enqueue((request.Path, body.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        // OTLP protobuf carries instrument names as plain UTF-8.
        public bool Received(string path, string text)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            return _received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(needle) >= 0);
        }

        public string Describe() => string.Join(", ", _received.Select(r => $"{r.Path} {r.Body.Length}"));

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
