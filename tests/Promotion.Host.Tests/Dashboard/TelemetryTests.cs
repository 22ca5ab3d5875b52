using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
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
using Xunit.Abstractions;

namespace Promotion.Host.Tests.Dashboard;

/// <summary>Run alone: a loaded machine (the other test classes start hosts in parallel) starves the loopback collector.</summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;

[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_are_exported_by_otlp_to_the_configured_endpoint()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var factory = Exporting(collector);
        using var client = factory.CreateClient();

        // The demo campaign sends: the send counter and latency histogram reach the collector.
        await Eventually.TrueAsync(() => collector.Received("/v1/metrics", "promotion.sends") && collector.Received("/v1/metrics", "promotion.send.duration"),
            TimeSpan.FromSeconds(90), "an OTLP metrics export with the send instruments; got " + collector.Describe());
        Assert.True(collector.Received("/v1/metrics", "promotion.shards.active"));
    }

    [Fact]
    public async Task A_campaign_is_one_trace_of_plan_shard_page_and_send_spans()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var factory = Exporting(collector, ("Promotion:Shards:PageSize", "100"), ("Promotion:Demo:Campaign", "false"));
        using var client = factory.CreateClient();

        // 500 demo members in shards of 200: three shards, two or three pages each.
        var response = await client.PostAsJsonAsync("/api/campaigns", new { name = "traced", message = new { title = "t", body = "b" }, channels = new[] { "inbox" }, shardSize = 200 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().ToString();
        JsonElement campaign = default;
        await Eventually.TrueAsync(async () => (campaign = await client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}")).GetProperty("status").GetString() == "Completed",
            TimeSpan.FromSeconds(60), $"campaign {id} to complete");
        var sends = campaign.GetProperty("sent").GetInt64() + campaign.GetProperty("failed").GetInt64();
        var shardCount = campaign.GetProperty("shards").GetProperty("total").GetInt32();

        List<OtlpSpan> Of(string name) => [.. collector.Spans().Where(s => s.Name == name && s["promotion.campaign.id"] == id)];
        await Eventually.TrueAsync(() => Of("promotion.send").Count >= sends && Of("promotion.shard").Count >= shardCount,
            TimeSpan.FromSeconds(30), $"the campaign's spans to be exported; got {collector.Spans().Count(s => s["promotion.campaign.id"] == id)} of it");

        var spans = collector.Spans().ToDictionary(s => s.SpanId);
        var plan = Assert.Single(Of("promotion.campaign.plan"));
        Assert.Equal("500", plan["promotion.campaign.audience"]);
        var shards = Of("promotion.shard");
        Assert.Equal(shardCount, shards.Count);
        Assert.Equal(3, shardCount);
        // Every shard is the plan span's child, in the plan's trace, whatever call woke it.
        Assert.All(shards, s => Assert.Equal((plan.TraceId, plan.SpanId), (s.TraceId, s.ParentSpanId)));
        Assert.Equal(["0", "1", "2"], shards.Select(s => s["promotion.shard.no"]!).Order());
        var pages = Of("promotion.page");
        Assert.All(pages, p => Assert.Contains(p.ParentSpanId, shards.Select(s => s.SpanId)));
        Assert.Equal(500, pages.Sum(p => long.Parse(p["promotion.page.members"]!, CultureInfo.InvariantCulture)));
        // A send is under its page through the push grain's call (Orleans' client and server spans).
        var sendSpans = Of("promotion.send");
        Assert.Equal(sends, sendSpans.Count);
        Assert.All(sendSpans, s =>
        {
            var chain = Ancestors(spans, s).ToList();
            Assert.Contains(chain, a => a.Name == "promotion.page");
            Assert.Contains(chain, a => a.SpanId == plan.SpanId);
            Assert.Equal(plan.TraceId, s.TraceId);
        });
        Assert.Contains(Ancestors(spans, sendSpans[0]), a => a.Name.Contains("SendPage", StringComparison.Ordinal));
        output.WriteLine(Tree(spans, plan, sendSpans[0]));
    }

    [Fact]
    public async Task A_login_event_and_its_coupon_decision_are_one_trace()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var factory = Exporting(collector, ("Promotion:Demo:Campaign", "false"));
        using var client = factory.CreateClient();
        var now = DateTimeOffset.UtcNow;
        var created = await client.PostAsJsonAsync("/api/coupon-campaigns", new { name = "traced coupon", validFrom = now.AddHours(-1), validTo = now.AddDays(1), coupon = new { title = "t", amount = 5 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Members 11 and 12 log in: one request, one published batch, one decision issuing two coupons.
        var accepted = await client.PostAsJsonAsync("/api/events/login", new[] { new { memberId = 11, at = now }, new { memberId = 12, at = now } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.TrueAsync(() => collector.Spans().Any(s => s.Name == "promotion.coupon.decide" && s["promotion.coupons.issued"] == "2"),
            TimeSpan.FromSeconds(30), "the decision span of the posted batch; got " + string.Join(", ", collector.Spans().Select(s => s.Name).Distinct()));

        var spans = collector.Spans().ToDictionary(s => s.SpanId);
        var decision = Assert.Single(spans.Values, s => s.Name == "promotion.coupon.decide" && s["promotion.coupons.issued"] == "2");
        Assert.Equal("2", decision["promotion.login.events"]);
        // The decision is the publish span's child, and the publish is the ingestion request's, in one trace.
        var publish = spans[decision.ParentSpanId!];
        Assert.Equal(("promotion.login.publish", decision.TraceId, "2"), (publish.Name, publish.TraceId, publish["promotion.login.events"]));
        var request = spans[publish.ParentSpanId!];
        Assert.Equal(decision.TraceId, request.TraceId);
        Assert.Contains("/api/events/login", request["url.path"] ?? request.Name, StringComparison.Ordinal);
        output.WriteLine(Tree(spans, request, decision));
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

    // An embedded host exporting metrics and traces (not logs) to the collector every 200 ms.
    private static PromotionHostFactory Exporting(OtlpCollector collector, params (string Key, string? Value)[] settings) =>
        PromotionHostFactory.Embedded([
            ("Promotion:Telemetry:OtlpEndpoint", collector.Url),
            ("Promotion:Telemetry:OtlpProtocol", "http/protobuf"),
            ("Promotion:Telemetry:ExportInterval", "00:00:00.200"),
            ("Promotion:Telemetry:ExportLogs", "false"),
            .. settings]);

    private static IEnumerable<OtlpSpan> Ancestors(Dictionary<string, OtlpSpan> spans, OtlpSpan span)
    {
        while (span.ParentSpanId is { } parent && spans.TryGetValue(parent, out var next))
        {
            yield return span = next;
        }
    }

    // The chain from a root (the plan, a request) down to one span, with how many siblings each level has.
    private static string Tree(Dictionary<string, OtlpSpan> spans, OtlpSpan root, OtlpSpan leaf)
    {
        var chain = Ancestors(spans, leaf).Reverse().Append(leaf).SkipWhile(s => s.SpanId != root.SpanId).ToList();
        var text = new StringBuilder();
        for (var i = 0; i < chain.Count; i++)
        {
            var siblings = spans.Values.Count(s => s.ParentSpanId == chain[i].ParentSpanId && s.Name == chain[i].Name);
            text.Append(' ', i * 2).Append(chain[i].Name).Append(i == 0 ? "" : $"  (x{siblings} under its parent)").AppendLine();
        }

        return text.ToString();
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

        public IEnumerable<OtlpSpan> Spans() =>
            _received.Where(r => r.Path == "/v1/traces").SelectMany(r => OtlpSpans.Read(r.Body));

        public string Describe() => string.Join(", ", _received.Select(r => $"{r.Path} {r.Body.Length}"));

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
