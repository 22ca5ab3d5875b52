using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>
/// Lazy coupons from login events on the login-event stream (Orleans persistent streams over
/// RabbitMQ, 8 partitions): batches of 1,000 posted to <c>POST /api/events/login</c> (answered
/// once the broker confirmed them) as fast as <c>--coupon-concurrency</c> posters go, decided by
/// two worker hosts against Redis (one Lua call a batch) and written to PostgreSQL: events/s
/// sustained. One in eleven events is a second login of a member seen about 2,000 events earlier,
/// which must not issue a second coupon. Then a paced phase: <c>--coupon-paced-rate</c> events/s
/// (batches of 100 every 20 ms at 5,000/s) for a new campaign, and the latency from sending each
/// POST to its coupon's <c>issued_at</c> (the worker's clock as it decided, just before the batched
/// write), p50 and p99. Against the same decision taken by one
/// <c>INSERT ... SELECT ... ON CONFLICT DO NOTHING</c> per event on PostgreSQL alone.
/// </summary>
public static class CouponsScenario
{
    private const int Batch = 1000;
    private const int RepeatEvery = 10;
    private const int RepeatDistance = 2000;

    public static async Task<ScenarioResult> RunAsync(BenchContext bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var o = bench.Options;
        var result = new ScenarioResult("coupons");
        var members = o.CouponEvents;
        var events = Events(members);
        result.Set("members", members);
        result.Set("events", events.Count);
        result.Set("hosts", 2);
        result.Set("concurrency", o.CouponConcurrency);
        result.Set("rounds", o.Runs);
        var db = await bench.MembersAsync(members);
        await using var resources = await ScenarioResources.CreateAsync();
        var a = await HostProcess.StartAsync(BenchContext.HostSettings(db, resources.Broker, resources.Redis, "api,worker", "http://127.0.0.1:9/unused"));
        await using var hostA = a;
        await using var hostB = await HostProcess.StartAsync(BenchContext.HostSettings(db, resources.Broker, resources.Redis, "worker", "http://127.0.0.1:9/unused"));
        using var api = BenchContext.Api(a.Url, TimeSpan.FromMinutes(2));
        await using var source = db.CreateDataSource();
        await CreateBaselineTableAsync(source);

        for (var round = 1; round <= o.Runs; round++)
        {
            var servers = await ServerRestarts.SnapshotAsync();
            var engine = await EngineRoundAsync(bench, api, source, events, members, round);
            result.Add("eventsPerSecond", engine.PerSecond, "/s");
            result.Add("p50Ms", engine.P50, "ms");
            result.Add("p99Ms", engine.P99, "ms");
            result.Add("duplicates", engine.Duplicates);
            result.Add("misses", engine.Misses);

            var paced = await PacedRoundAsync(bench, api, source, members, round);
            result.Add("pacedEventsPerSecond", paced.PerSecond, "/s");
            result.Add("pacedP50Ms", paced.P50, "ms");
            result.Add("pacedP99Ms", paced.P99, "ms");
            result.Add("pacedDuplicates", paced.Duplicates);
            result.Add("pacedMisses", paced.Misses);

            var baseline = await BaselineRoundAsync(bench, source, events, o.CouponConcurrency, round);
            result.Add("baselineEventsPerSecond", baseline.PerSecond, "/s");
            result.Add("baselineP50Ms", baseline.P50, "ms");
            result.Add("baselineP99Ms", baseline.P99, "ms");
            result.Add("baselineDuplicates", baseline.Duplicates);
            result.Add("baselineMisses", baseline.Misses);
            result.Add("engineOverBaseline", engine.PerSecond / baseline.PerSecond, "x");

            await bench.RestartsAsync(result, servers, $"coupons {round}/{o.Runs}");
        }

        return result;
    }

    private sealed record Round(double PerSecond, double P50, double P99, long Duplicates, long Misses);

    // Members 1..n in order; every RepeatEvery-th event is followed by a second login of a member RepeatDistance earlier.
    private static List<long> Events(long members)
    {
        var events = new List<long>((int)(members * 11 / 10) + 1);
        for (var id = 1L; id <= members; id++)
        {
            events.Add(id);
            if (id % RepeatEvery == 0 && id > RepeatDistance)
            {
                events.Add(id - RepeatDistance);
            }
        }

        return events;
    }

    private static async Task<Round> EngineRoundAsync(BenchContext bench, HttpClient api, NpgsqlDataSource source, List<long> events, long members, int round)
    {
        var o = bench.Options;
        var now = DateTimeOffset.UtcNow;
        var created = await api.PostAsJsonAsync("/api/coupon-campaigns", new
        {
            name = $"bench coupons {round}",
            validFrom = now.AddHours(-1),
            validTo = now.AddDays(1),
            coupon = new { title = "5 off", amount = 5m },
        });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/coupon-campaigns answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        }

        var campaignId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        bench.Log($"coupons {round}/{o.Runs} engine: {events.Count:N0} login events, {o.CouponConcurrency} posters");
        var accepted = new ConcurrentDictionary<long, DateTimeOffset>();
        var batches = events.Chunk(Batch).ToList();
        var next = -1;
        var posted = 0L;
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        await bench.Progress.TrackAsync($"coupons {round}/{o.Runs} engine: posting", events.Count, "events", progress => Task.WhenAll(Enumerable.Range(0, o.CouponConcurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                var batch = batches[i];
                var body = new StringBuilder("[");
                var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
                foreach (var id in batch)
                {
                    body.Append(CultureInfo.InvariantCulture, $$"""{"memberId":{{id}},"at":"{{at}}"},""");
                }

                body[^1] = ']';
                using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
                var when = DateTimeOffset.UtcNow;
                using var response = await api.PostAsync("/api/events/login", content, bench.Cancellation);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"POST /api/events/login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                foreach (var id in batch)
                {
                    accepted.TryAdd(id, when);
                }

                progress.Report(Interlocked.Add(ref posted, batch.Length));
            }
        })));
        bench.Log($"coupons {round}/{o.Runs} engine: posted in {clock.Elapsed.TotalSeconds:0.0} s; waiting for {members:N0} coupons");

        await bench.Progress.TrackAsync($"coupons {round}/{o.Runs} engine: coupons", members, "coupons", async progress =>
        {
            long written;
            while ((written = await Transient.RetryAsync(() => CountAsync(source, "coupons", campaignId), bench.Cancellation)) < members)
            {
                progress.Report(written);
                if (clock.Elapsed > TimeSpan.FromMinutes(15))
                {
                    throw new TimeoutException($"only {written:N0} of {members:N0} coupons after 15 minutes");
                }

                await Task.Delay(200, bench.Cancellation);
            }
        });

        // A second look after the queue had time to drain: late repeats must not have added any.
        await Task.Delay(2000, bench.Cancellation);
        var (latencies, last, duplicates, distinct) = await DecisionsAsync(source, "coupons", campaignId, accepted);
        (await api.PostAsync($"/api/coupon-campaigns/{campaignId}/stop", null, bench.Cancellation)).EnsureSuccessStatusCode();
        var wall = (last - started).TotalSeconds;
        var engine = new Round(events.Count / wall, Stats.Percentile(latencies, 0.5), Stats.Percentile(latencies, 0.99), duplicates, members - distinct);
        bench.Log($"coupons {round}/{o.Runs} engine: {engine.PerSecond:N0} events/s, accepted-to-decision p50 {engine.P50:0} ms p99 {engine.P99:0} ms, duplicates {duplicates}, misses {engine.Misses}");
        return engine;
    }

    // Paced: a steady rate of small batches, each member once, for a campaign of its own; latency from
    // sending the POST to the decision recorded with the coupon.
    private static async Task<Round> PacedRoundAsync(BenchContext bench, HttpClient api, NpgsqlDataSource source, long members, int round)
    {
        var o = bench.Options;
        var total = (int)Math.Min(members, (long)o.CouponPacedRate * o.CouponPacedSeconds);
        var campaignId = await CreateCampaignAsync(api, $"bench coupons paced {round}");
        const int tick = 20;
        var perTick = Math.Max(1, o.CouponPacedRate * tick / 1000);
        bench.Log($"coupons {round}/{o.Runs} paced: {total:N0} events at {o.CouponPacedRate:N0}/s, {perTick} every {tick} ms");
        var sent = new ConcurrentDictionary<long, DateTimeOffset>();
        var posts = new List<Task>();
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        for (var (i, k) = (0, 0); i < total; i += perTick, k++)
        {
            // Pace by the schedule, not by the answers: a slow answer must not slow the offered rate.
            var due = TimeSpan.FromMilliseconds(k * tick);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, bench.Cancellation);
            }

            var ids = Enumerable.Range(i + 1, Math.Min(perTick, total - i)).Select(m => (long)m).ToList();
            posts.Add(PostAsync(ids));
        }

        await Task.WhenAll(posts);
        await WaitForCouponsAsync(source, campaignId, total, bench.Cancellation);
        var (latencies, last, duplicates, distinct) = await DecisionsAsync(source, "coupons", campaignId, sent);
        (await api.PostAsync($"/api/coupon-campaigns/{campaignId}/stop", null, bench.Cancellation)).EnsureSuccessStatusCode();
        var paced = new Round(total / (last - started).TotalSeconds, Stats.Percentile(latencies, 0.5), Stats.Percentile(latencies, 0.99), duplicates, total - distinct);
        bench.Log($"coupons {round}/{o.Runs} paced: {paced.PerSecond:N0} events/s, POST-to-decision p50 {paced.P50:0} ms p99 {paced.P99:0} ms, duplicates {duplicates}, misses {paced.Misses}");
        return paced;

        async Task PostAsync(List<long> ids)
        {
            var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            var body = "[" + string.Join(",", ids.Select(id => $$"""{"memberId":{{id}},"at":"{{at}}"}""")) + "]";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var when = DateTimeOffset.UtcNow;
            foreach (var id in ids)
            {
                sent.TryAdd(id, when);
            }

            using var response = await api.PostAsync("/api/events/login", content, bench.Cancellation);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST /api/events/login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static async Task<Guid> CreateCampaignAsync(HttpClient api, string name)
    {
        var now = DateTimeOffset.UtcNow;
        var created = await api.PostAsJsonAsync("/api/coupon-campaigns", new { name, validFrom = now.AddHours(-1), validTo = now.AddDays(1), coupon = new { title = "5 off", amount = 5m } });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/coupon-campaigns answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        }

        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task WaitForCouponsAsync(NpgsqlDataSource source, Guid campaignId, long count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long written;
        while ((written = await Transient.RetryAsync(() => CountAsync(source, "coupons", campaignId), cancellationToken)) < count)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"only {written:N0} of {count:N0} coupons after 5 minutes");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<Round> BaselineRoundAsync(BenchContext bench, NpgsqlDataSource source, List<long> events, int concurrency, int round)
    {
        var o = bench.Options;
        var campaignId = Guid.NewGuid();
        bench.Log($"coupons {round}/{o.Runs} baseline: {events.Count:N0} single-row INSERT ... ON CONFLICT on {concurrency} connections");
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var done = 0L;
        var clock = Stopwatch.StartNew();
        await bench.Progress.TrackAsync($"coupons {round}/{o.Runs} baseline", events.Count, "events", progress => Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await using var conn = await source.OpenConnectionAsync(bench.Cancellation);
            // The decision the engine takes for a campaign open to every member with unlimited
            // stock: the member exists and has no coupon of this campaign yet.
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO bench_coupons (id, coupon_campaign_id, member_id, issued_at) SELECT $1, $2, m.id, now() FROM members m WHERE m.id = $3 " +
                "ON CONFLICT (coupon_campaign_id, member_id) DO NOTHING", conn);
            var pId = cmd.Parameters.Add(new NpgsqlParameter<Guid>());
            cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = campaignId });
            var pMember = cmd.Parameters.Add(new NpgsqlParameter<long>());
            await cmd.PrepareAsync(bench.Cancellation);
            int i;
            while ((i = Interlocked.Increment(ref next)) < events.Count)
            {
                var t = Stopwatch.GetTimestamp();
                pId.Value = Guid.NewGuid();
                pMember.Value = events[i];
                await cmd.ExecuteNonQueryAsync(bench.Cancellation);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                progress.Report(Interlocked.Increment(ref done));
            }
        })));
        var wall = clock.Elapsed.TotalSeconds;
        var members = events.Distinct().LongCount();
        var distinct = await CountAsync(source, "bench_coupons", campaignId);
        await using var dup = source.CreateCommand("SELECT count(*) - count(DISTINCT member_id) FROM bench_coupons WHERE coupon_campaign_id = $1");
        dup.Parameters.AddWithValue(campaignId);
        var duplicates = (long)(await dup.ExecuteScalarAsync(bench.Cancellation))!;
        var all = latencies.ToList();
        var baseline = new Round(events.Count / wall, Stats.Percentile(all, 0.5), Stats.Percentile(all, 0.99), duplicates, members - distinct + duplicates);
        bench.Log($"coupons {round}/{o.Runs} baseline: {baseline.PerSecond:N0} events/s, p50 {baseline.P50:0.0} ms p99 {baseline.P99:0.0} ms");
        return baseline;
    }

    private static async Task CreateBaselineTableAsync(NpgsqlDataSource source)
    {
        // The coupons table's shape (V0003__coupons.sql) without the campaign foreign key: the
        // baseline's campaign lives only here, never in the engine's ledger.
        await using var cmd = source.CreateCommand("""
            CREATE TABLE IF NOT EXISTS bench_coupons (
                id uuid PRIMARY KEY,
                coupon_campaign_id uuid NOT NULL,
                member_id bigint NOT NULL,
                status text NOT NULL DEFAULT 'issued',
                issued_at timestamptz NOT NULL,
                UNIQUE (coupon_campaign_id, member_id));
            CREATE INDEX IF NOT EXISTS bench_coupons_member ON bench_coupons (member_id);
            """);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(NpgsqlDataSource source, string table, Guid campaignId)
    {
        await using var cmd = source.CreateCommand($"SELECT count(DISTINCT member_id) FROM {table} WHERE coupon_campaign_id = $1");
        cmd.Parameters.AddWithValue(campaignId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    // Accepted (the 202 reached the client) to decided (issued_at, the worker's clock as it decided, just before its write).
    private static async Task<(List<double> Latencies, DateTimeOffset Last, long Duplicates, long Distinct)> DecisionsAsync(
        NpgsqlDataSource source, string table, Guid campaignId, ConcurrentDictionary<long, DateTimeOffset> accepted)
    {
        await using var cmd = source.CreateCommand($"SELECT member_id, issued_at FROM {table} WHERE coupon_campaign_id = $1");
        cmd.Parameters.AddWithValue(campaignId);
        var latencies = new List<double>();
        var seen = new HashSet<long>();
        var duplicates = 0L;
        var last = DateTimeOffset.MinValue;
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var member = reader.GetInt64(0);
            var at = reader.GetFieldValue<DateTimeOffset>(1);
            if (!seen.Add(member))
            {
                duplicates++;
            }

            last = at > last ? at : last;
            if (accepted.TryGetValue(member, out var when))
            {
                latencies.Add((at - when).TotalMilliseconds);
            }
        }

        return (latencies, last, duplicates, seen.Count);
    }
}
