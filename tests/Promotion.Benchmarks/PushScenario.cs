using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// Push fan-out: N members, one worker host in the distributed profile, a loopback receiver with
/// the given latency. Wall time, sends/s, peak RSS of the host, duplicates and misses.
/// </summary>
internal static class PushScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchmarkOptions o)
    {
        var db = new TemporaryDatabase();
        var vhost = new TemporaryVirtualHost();
        var redis = new TemporaryRedisPrefix();
        await using var receiver = new WebhookReceiver { Latency = TimeSpan.FromMilliseconds(o.LatencyMs) };
        await db.InitializeAsync();
        await vhost.InitializeAsync();
        await redis.InitializeAsync();
        try
        {
            await receiver.StartAsync();
            var seed = Stopwatch.StartNew();
            var (code, output) = await HostProcess.RunVerbAsync(["seed-members", "--count", o.Members.ToString(CultureInfo.InvariantCulture), "--postgres", db.ConnectionString]);
            if (code != 0)
            {
                throw new InvalidOperationException(output);
            }

            Console.Error.WriteLine($"seeded {o.Members:N0} members in {seed.Elapsed.TotalSeconds:0.0} s");
            await using var host = await HostProcess.StartAsync(new Dictionary<string, string>
            {
                ["Promotion:Profile"] = "Distributed",
                ["ConnectionStrings:Postgres"] = db.ConnectionString,
                ["ConnectionStrings:Redis"] = TestServers.Redis,
                ["ConnectionStrings:RabbitMq"] = vhost.ConnectionString,
                ["Promotion:Redis:KeyPrefix"] = redis.Prefix,
                ["Promotion:Senders:Webhook:Url"] = receiver.Url,
                ["Promotion:FanOut:InFlightWindow"] = o.Window.ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
            });
            using var api = new HttpClient { BaseAddress = new Uri(host.Url) };
            var clock = Stopwatch.StartNew();
            var created = await api.PostAsJsonAsync("/api/campaigns", new
            {
                name = "bench",
                message = new { title = "t", body = "b" },
                channels = new[] { "inbox" },
            });
            created.EnsureSuccessStatusCode();
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            long peakRss = 0;
            JsonElement campaign;
            while (true)
            {
                peakRss = Math.Max(peakRss, RssKb(host.Pid));
                campaign = await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
                if (campaign.GetProperty("status").GetString() is "Completed" or "Failed" or "Cancelled")
                {
                    break;
                }

                await Task.Delay(500);
            }

            var wall = clock.Elapsed.TotalSeconds;
            peakRss = Math.Max(peakRss, HwmKb(host.Pid));
            var received = receiver.Received.Count;
            return new ScenarioResult("push", new Dictionary<string, object>
            {
                ["members"] = o.Members,
                ["latencyMs"] = o.LatencyMs,
                ["window"] = o.Window,
                ["status"] = campaign.GetProperty("status").GetString()!,
                ["wallSeconds"] = Math.Round(wall, 1),
                ["sendsPerSecond"] = Math.Round(received / wall),
                ["peakRssMb"] = Math.Round(peakRss / 1024.0, 1),
                ["sent"] = campaign.GetProperty("sent").GetInt64(),
                ["duplicates"] = receiver.Received.Count(kv => kv.Value > 1),
                ["misses"] = o.Members - received,
            });
        }
        finally
        {
            await redis.DisposeAsync();
            await vhost.DisposeAsync();
            await db.DisposeAsync();
        }
    }

    private static long RssKb(int pid) => StatusKb(pid, "VmRSS:");

    private static long HwmKb(int pid) => StatusKb(pid, "VmHWM:");

    private static long StatusKb(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
