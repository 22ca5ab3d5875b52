using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// Planning a campaign over every member of a large directory: audience count and shard bounds
/// (one windowed index-only scan), shard rows (one bulk insert) and the start of the first shard
/// grains (a bounded number, whatever the campaign's size), as the campaign grain's own log line
/// times it. Against the classic dispatch: one awaited message per shard (a persistent JSON
/// message, publisher confirm awaited, on RabbitMQ.Client) to a queue of a throw-away vhost.
/// </summary>
public static partial class PlanScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var result = new ScenarioResult("plan");
        result.Set("members", o.PlanMembers);
        result.Set("shardSize", o.ShardSize);
        result.Set("rounds", o.Runs);
        var db = await bench.MembersAsync(o.PlanMembers);
        await using var resources = await ScenarioResources.CreateAsync();
        var settings = BenchContext.HostSettings(db, resources.Broker, resources.Redis, "api,worker", webhookUrl: null);
        // Shards started by the campaign would start sending at once and compete for the two
        // cores; one shard at a time, one send in flight, each send held for a minute, keeps the
        // worker's shard side idle while the planning is timed.
        settings["Promotion:Senders:Simulated:Enabled"] = "true";
        settings["Promotion:Senders:Simulated:Latency"] = "00:01:00";
        settings["Promotion:Senders:Simulated:TransientFailureRate"] = "0";
        settings["Promotion:Senders:Simulated:PermanentFailureRate"] = "0";
        settings["Promotion:Shards:ConcurrentShards"] = "1";
        settings["Promotion:FanOut:InFlightWindow"] = "1";
        settings["Logging:LogLevel:Promotion.Engine.Campaigns.CampaignGrain"] = "Information";
        await using var host = await HostProcess.StartAsync(settings);
        using var api = BenchContext.Api(host.Url);

        for (var round = 1; round <= o.Runs; round++)
        {
            var servers = await ServerRestarts.SnapshotAsync();
            bench.Log($"plan {round}/{o.Runs} engine: campaign over {o.PlanMembers:N0} members, shardSize {o.ShardSize:N0}");
            var clock = Stopwatch.StartNew();
            var id = await EngineRun.CreateCampaignAsync(api, new
            {
                name = $"bench plan {round}",
                message = new { title = "Benchmark", body = "Planning only" },
                channels = new[] { "inbox" },
                shardSize = o.ShardSize,
            });
            Match? planned = null;
            await Eventually.TrueAsync(() =>
            {
                if (host.HasExited)
                {
                    throw new InvalidOperationException($"host exited with {host.ExitCode}:\n{host.Output}");
                }

                planned = PlannedLine().Matches(host.Output).LastOrDefault(m => m.Groups["id"].Value == id.ToString());
                return planned is not null;
            }, TimeSpan.FromMinutes(10), "the planner's log line");
            var untilLogged = clock.Elapsed.TotalSeconds;
            var plannerSeconds = double.Parse(planned!.Groups["ms"].Value, CultureInfo.InvariantCulture) / 1000;
            var shards = int.Parse(planned.Groups["shards"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            var started = int.Parse(planned.Groups["started"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            var campaign = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}", bench.Cancellation);
            var shardRows = campaign.GetProperty("shards").GetProperty("total").GetInt32();
            (await api.PostAsync($"/api/campaigns/{id}/cancel", null, bench.Cancellation)).EnsureSuccessStatusCode();
            bench.Log($"plan {round}/{o.Runs} engine: {shards:N0} shards, {started:N0} started in {plannerSeconds:0.00} s (POST to log line {untilLogged:0.00} s)");
            result.Add("plannerSeconds", plannerSeconds, "s");
            result.Add("postToPlannedSeconds", untilLogged, "s");
            result.Set("shardRows", shardRows);
            result.Set("shardsStartedAtOnce", started);

            bench.Log($"plan {round}/{o.Runs} baseline: {shards:N0} messages, one awaited send each");
            var baseline = await bench.Progress.TrackAsync($"plan {round}/{o.Runs} baseline", shards, "messages",
                progress => OneByOneAsync(resources.Broker, id, shards, progress, bench.Cancellation));
            bench.Log($"plan {round}/{o.Runs} baseline: {baseline:0.00} s ({shards / baseline:N0} messages/s)");
            result.Add("baselineSeconds", baseline, "s");
            result.Add("baselineOverPlanner", baseline / plannerSeconds, "x");

            await bench.RestartsAsync(result, servers, $"plan {round}/{o.Runs}");
        }

        return result;
    }

    // The classic dispatch: one message per shard, each send awaited (publisher confirm) before the next.
    private static async Task<double> OneByOneAsync(TemporaryVirtualHost vhost, Guid campaignId, int shards, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(vhost.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        const string queue = "bench-baseline-shards";
        // Declaring the queue is not part of the timing.
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < shards; i++)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new ShardMessage(campaignId, i));
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, cancellationToken);
            progress.Report(i + 1);
        }

        return clock.Elapsed.TotalSeconds;
    }

    [GeneratedRegex(@"Campaign (?<id>[0-9a-f-]{36}) planned: (?<members>[\d,]+) members in (?<shards>[\d,]+) shards, (?<started>[\d,]+) started, in (?<ms>[\d.]+) ms")]
    private static partial Regex PlannedLine();

    /// <summary>What the classic dispatch sends per shard.</summary>
    public sealed record ShardMessage(Guid CampaignId, int ShardNo);
}
