using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Promotion.Domain.Members;
using Promotion.TestSupport;
using RabbitMQ.Client;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Promotion.Acceptance.Tests;

/// <summary>Lazy coupons end to end on the real servers, across separate host processes.</summary>
[Collection(Collections.Alone)]
public sealed class CouponTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string LoginExchange = "promotion-login-events";
    private const string DeadLetterQueue = "promotion-login-events.dead-letter";
    private const int Partitions = 8;
    private static readonly string[] Segments = ["gamers", "parents", "vip"];
    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Two_hundred_thousand_logins_with_duplicates_and_concurrent_logins_of_one_member_on_two_workers_issue_each_eligible_member_exactly_one_coupon()
    {
        const int members = 180_000;
        const int stock = 5_000;
        await _cluster.SeedMembersAsync(members);
        var a = await StartAsync("api,worker");
        var b = await StartAsync("worker");
        using var api = _cluster.ApiClient(a);
        var everyone = await CreateAsync(api, new { name = "welcome back", validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), coupon = new { title = "5 off", amount = 5 } });
        var vip = await CreateAsync(api, new { name = "vip", audience = new { segment = "vip" }, validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), coupon = new { title = "10%", percent = 10 } });
        var limited = await CreateAsync(api, new { name = "first 5000", validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), stock, coupon = new { title = "20 off", amount = 20 } });

        // 180,000 members log in once, 20,000 of them (10 %) a second time, in random order; member
        // 7 logs in once in each of 100 batches, which are posted concurrently (up to 8 at once
        // over two hosts and 8 partitions). A tenth of the batches come from a producer publishing
        // straight to the broker instead of the HTTP endpoint.
        var logins = Enumerable.Range(1, members).Concat(Enumerable.Range(1, members).Where(m => m % 9 == 0).Take(20_000 - 100)).Select(m => (long)m).ToArray();
        Random.Shared.Shuffle(logins);
        var batches = logins.Chunk(999).Select((chunk, i) => i < 100 ? [.. chunk, 7L] : chunk).ToList();
        Assert.Equal(200_000, batches.Sum(x => x.Length));
        var clock = Stopwatch.StartNew();
        await ForEachAsync(batches.Select((batch, i) => (batch, i)), 8, async x =>
        {
            if (x.i % 10 == 9)
            {
                await PublishAsync(JsonSerializer.Serialize(x.batch.Select(m => new { memberId = m, at = Now })), x.i % Partitions);
            }
            else
            {
                await PostLoginsAsync(api, [.. x.batch.Select(m => (m, Now))]);
            }
        });
        var queued = clock.Elapsed;

        var vipMembers = Enumerable.Range(1, members).Where(m => SyntheticMembers.Create(m, Segments).IsIn("vip")).Select(m => (long)m).ToList();
        await WaitForCouponsAsync(_cluster.Redis.Connection, _cluster.Redis.Prefix, everyone, members, TimeSpan.FromMinutes(4));
        await WaitForCouponsAsync(_cluster.Redis.Connection, _cluster.Redis.Prefix, vip, vipMembers.Count, TimeSpan.FromMinutes(1));
        await WaitForCouponsAsync(_cluster.Redis.Connection, _cluster.Redis.Prefix, limited, stock, TimeSpan.FromMinutes(1));
        output.WriteLine($"200,000 login events: queued in {queued.TotalSeconds:0.0} s, all coupons written after {clock.Elapsed.TotalSeconds:0.0} s ({200_000 / clock.Elapsed.TotalSeconds:0} events/s end to end)");

        Assert.Equal(Enumerable.Range(1, members).Select(m => (long)m), await HoldersAsync(everyone));
        Assert.Equal(vipMembers, await HoldersAsync(vip));
        Assert.Equal(stock, (await HoldersAsync(limited)).Count);
        Assert.Equal(0, await DuplicateCouponsAsync());
        Assert.Equal(members + vipMembers.Count + stock, await CouponCountAsync());
        Assert.Equal(await HoldersAsync(limited), (await RedisIssuedAsync(_cluster.Redis.Connection, _cluster.Redis.Prefix, limited)).Keys.Order());
        Assert.Equal(0, (long)await _cluster.Redis.Connection.GetDatabase().StringGetAsync($"{_cluster.Redis.Prefix}coupons:{limited:D}:stock"));
        var shown = await api.GetFromJsonAsync<JsonElement>($"/api/coupon-campaigns/{limited}", Cluster.Json);
        Assert.Equal((stock, 0, "SoldOut"), (shown.GetProperty("issued").GetInt64(), shown.GetProperty("stockLeft").GetInt64(), shown.GetProperty("status").GetString()));
        Assert.Equal(0u, await DeadLetterDepthAsync());

        // Both worker processes decided login batches.
        Assert.Contains("Login batch handled", a.Output, StringComparison.Ordinal);
        Assert.Contains("Login batch handled", b.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_mid_stream_loses_nothing_and_issues_nothing_twice()
    {
        const int members = 40_000;
        const int stock = 3_000;
        await _cluster.SeedMembersAsync(members);
        // Failure detection as shipped (a killed host is dead in about 5 s): a 1-s probe timeout risks
        // a host busy on a loaded machine being voted dead before the kill.
        var a = await StartAsync("api,worker");
        var victim = await StartAsync("worker");
        using var api = _cluster.ApiClient(a);
        var everyone = await CreateAsync(api, new { name = "everyone", validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), coupon = new { title = "t", amount = 1 } });
        var limited = await CreateAsync(api, new { name = "limited", validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), stock, coupon = new { title = "t", percent = 15 } });

        var logins = Enumerable.Range(0, 2).SelectMany(_ => Enumerable.Range(1, members)).Select(m => (long)m).ToArray();
        Random.Shared.Shuffle(logins);
        var batches = logins.Chunk(1000).ToList();
        await ForEachAsync(batches.Take(40), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));
        // The victim holds messages of its partitions, decided or not, unacknowledged: kill it then.
        try
        {
            await Eventually.TrueAsync(async () => (await HoldersAsync(everyone)).Count > 5_000 && victim.Output.Contains("Login batch handled", StringComparison.Ordinal),
                TimeSpan.FromMinutes(1), "the victim to decide batches");
        }
        catch (TimeoutException e)
        {
            var tail = string.Join('\n', victim.Output.Split('\n').TakeLast(30));
            throw new TimeoutException($"{e.Message}: {(await HoldersAsync(everyone)).Count} coupons written, victim exited {victim.HasExited}, " +
                $"decided on the victim {victim.Output.Contains("Login batch handled", StringComparison.Ordinal)}, on the other {a.Output.Contains("Login batch handled", StringComparison.Ordinal)}; the victim's last lines:\n{tail}", e);
        }

        victim.Kill();
        var atKill = (await HoldersAsync(everyone)).Count;
        await ForEachAsync(batches.Skip(40), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));
        output.WriteLine($"SIGKILL with {atKill} coupons of everyone written");

        await AssertEachOnceAndStockExactAsync(_cluster.Redis.Connection, everyone, members, limited, stock);
        Assert.Equal(0, await DuplicateCouponsAsync());
        Assert.Equal(0u, await DeadLetterDepthAsync());
    }

    [Fact]
    public async Task Redis_flushed_mid_stream_still_issues_exactly_once_and_never_beyond_stock()
    {
        const int members = 20_000;
        await _cluster.SeedMembersAsync(members);
        await using var redis = new PrivateRedisServer();
        var (api, everyone, limited) = await StartOnPrivateRedisAsync(redis, stock: 3000);
        using var disposeApi = api;
        using var observer = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        var logins = Enumerable.Range(0, 2).SelectMany(_ => Enumerable.Range(1, members)).Select(m => (long)m).ToArray();
        Random.Shared.Shuffle(logins);
        var batches = logins.Chunk(1000).ToList();
        await ForEachAsync(batches.Take(15), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));
        await Eventually.TrueAsync(async () => (await HoldersAsync(everyone)).Count > 5_000, TimeSpan.FromMinutes(1), "coupons to flow");

        await redis.FlushAllAsync();
        output.WriteLine($"FLUSHALL with {(await HoldersAsync(everyone)).Count} coupons of everyone written");
        await ForEachAsync(batches.Skip(15), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));

        await AssertEachOnceAndStockExactAsync(observer, everyone, members, limited, 3000);
        AssertRestoredAtLeast(2);
    }

    [Fact]
    public async Task Redis_stopped_and_restarted_mid_stream_loses_nothing_and_issues_exactly_once()
    {
        const int members = 10_000;
        await _cluster.SeedMembersAsync(members);
        await using var redis = new PrivateRedisServer();
        var (api, everyone, limited) = await StartOnPrivateRedisAsync(redis, stock: 2000);
        using var disposeApi = api;

        var logins = Enumerable.Range(0, 2).SelectMany(_ => Enumerable.Range(1, members)).Select(m => (long)m).ToArray();
        Random.Shared.Shuffle(logins);
        var batches = logins.Chunk(500).ToList();
        await ForEachAsync(batches.Take(12), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));
        await Eventually.TrueAsync(async () => (await HoldersAsync(everyone)).Count > 2_000, TimeSpan.FromMinutes(1), "coupons to flow");

        await redis.StopAsync();
        var atStop = (await HoldersAsync(everyone)).Count;
        // Redis is down: the API still takes logins (they wait in the broker) and nothing is issued.
        await ForEachAsync(batches.Skip(12).Take(16), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));
        // The outage itself: Redis stays down a few seconds while the consumers retry.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var whileDown = (await HoldersAsync(everyone)).Count;
        output.WriteLine($"Redis stopped with {atStop} coupons written; {whileDown} after 3 s down");

        await redis.StartAsync();
        await ForEachAsync(batches.Skip(28), 4, batch => PostLoginsAsync(api, [.. batch.Select(m => (m, Now))]));
        using var observer = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await AssertEachOnceAndStockExactAsync(observer, everyone, members, limited, 2000);
        Assert.Equal(0u, await DeadLetterDepthAsync());
        AssertRestoredAtLeast(2);
    }

    [Fact]
    public async Task Windows_segments_bad_requests_and_malformed_broker_events_are_handled_without_stopping_the_consumer()
    {
        const int members = 2_000;
        await _cluster.SeedMembersAsync(members);
        var a = await StartAsync("api,worker");
        using var api = _cluster.ApiClient(a);
        var now = Now;
        var current = await CreateAsync(api, new { name = "current", validFrom = now.AddHours(-1), validTo = now.AddHours(1), coupon = new { title = "t", amount = 3 } });
        var future = await CreateAsync(api, new { name = "future", validFrom = now.AddHours(1), validTo = now.AddHours(2), coupon = new { title = "t", amount = 3 } });
        var vip = await CreateAsync(api, new { name = "vip", audience = new { segment = "vip" }, validFrom = now.AddHours(-1), validTo = now.AddHours(1), coupon = new { title = "t", percent = 5 } });
        var vipMember = Enumerable.Range(1, members).First(m => SyntheticMembers.Create(m, Segments).IsIn("vip"));
        var otherMember = Enumerable.Range(1, members).First(m => !SyntheticMembers.Create(m, Segments).IsIn("vip"));

        // Before validFrom (current), after validTo (current), and a member outside the segment.
        await PostLoginsAsync(api, [(1, now.AddHours(-2)), (2, now.AddMinutes(150)), (3, now.AddHours(3)), (otherMember, now)]);
        await PostLoginsAsync(api, [(vipMember, now)]);
        await WaitForCouponsAsync(_cluster.Redis.Connection, _cluster.Redis.Prefix, vip, 1, TimeSpan.FromSeconds(30));
        Assert.Equal([(long)vipMember], await HoldersAsync(vip));
        Assert.Equal(new long[] { otherMember, vipMember }.Order(), await HoldersAsync(current));
        Assert.Empty(await HoldersAsync(future));

        // Bad requests: 400 naming the field, nothing created or queued.
        await AssertBadRequestAsync(await api.PostAsJsonAsync("/api/coupon-campaigns", new { name = "x", validFrom = now, validTo = now.AddDays(-1), coupon = new { title = "t", amount = 1 } }), "validTo");
        await AssertBadRequestAsync(await api.PostAsJsonAsync("/api/coupon-campaigns", new { name = "x", validFrom = now, validTo = now.AddDays(1), stock = -5, coupon = new { title = "t", amount = 1 } }), "stock");
        await AssertBadRequestAsync(await api.PostAsJsonAsync("/api/events/login", Enumerable.Range(1, 1001).Select(m => new { memberId = m, at = now })), "body");
        await AssertBadRequestAsync(await api.PostAsync("/api/events/login", new StringContent(
            $$$"""[{"memberId":1,"at":"{{{now:O}}}"},{"memberId":2,"at":"{{{now:O}}}"},{"memberId":3,"at":"{{{now:O}}}"},{"memberId":"12ab","at":"{{{now:O}}}"}]""", Encoding.UTF8, "application/json")), "[3].memberId");
        Assert.Equal(3, (await api.GetFromJsonAsync<JsonElement>("/api/coupon-campaigns", Cluster.Json)).GetProperty("total").GetInt64());

        // From the broker: a body that is not JSON, and a batch with one malformed event among good
        // ones, land in the dead-letter queue with their reason; the good events and later batches
        // of the same partition are decided.
        await PublishAsync("this is not json", 3);
        await PublishAsync(JsonSerializer.Serialize(new object[] { new { memberId = 10, at = now }, new { memberId = -5, at = now } }), 3);
        await PublishAsync(JsonSerializer.Serialize(new[] { new { memberId = 11, at = now } }), 3);
        await Eventually.TrueAsync(async () => (await HoldersAsync(current)).Contains(11) && (await HoldersAsync(current)).Contains(10), TimeSpan.FromSeconds(30), "the good broker events to be handled");
        var reasons = await ReadDeadLetterReasonsAsync(2);
        Assert.Contains(reasons, r => r.Contains("[1].memberId must be a positive integer", StringComparison.Ordinal));
        Assert.Equal(2, reasons.Count);

        // The coupon lifecycle on PostgreSQL.
        var coupon = (await api.GetFromJsonAsync<JsonElement>($"/api/members/{vipMember}/coupons", Cluster.Json)).GetProperty("items").EnumerateArray()
            .Single(c => c.GetProperty("couponCampaignId").GetGuid() == vip).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync($"/api/coupons/{coupon}/redeem", new { orderId = "o-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/coupons/{coupon}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/coupons/{coupon}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/coupons/{coupon}/redeem", new { orderId = "o-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/coupons/{coupon}/redeem", new { orderId = "o-1" })).StatusCode);
        var conflict = await api.PostAsJsonAsync($"/api/coupons/{coupon}/redeem", new { orderId = "o-2" });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("already redeemed with order 'o-1'", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Stopped: later logins issue nothing more (the sentinel, created after, shows they were handled).
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/coupon-campaigns/{current}/stop", null)).StatusCode);
        var sentinel = await CreateAsync(api, new { name = "sentinel", validFrom = now.AddHours(-1), validTo = now.AddHours(1), coupon = new { title = "t", amount = 1 } });
        await PostLoginsAsync(api, [(500, now)]);
        await WaitForCouponsAsync(_cluster.Redis.Connection, _cluster.Redis.Prefix, sentinel, 1, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(500L, await HoldersAsync(current));
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    // Once when the hosts met the new, empty Redis, and again after it lost its data.
    private void AssertRestoredAtLeast(int count)
    {
        var logs = string.Join("\n", _cluster.Hosts.Select(h => h.Output));
        var restores = logs.Split("Coupon ledger restored").Length - 1;
        output.WriteLine($"ledger restores: {restores}; coupons refused by the store and taken back: {logs.Split("The store refused").Length - 1} times");
        Assert.True(restores >= count, $"expected at least {count} ledger restores, saw {restores}");
    }

    // Two hosts on a private Redis the test may flush or stop, with a coupon campaign for everyone
    // and one limited to stock.
    private async Task<(HttpClient Api, Guid Everyone, Guid Limited)> StartOnPrivateRedisAsync(PrivateRedisServer redis, int stock)
    {
        await redis.StartAsync();
        var a = await StartAsync("api,worker", ("ConnectionStrings:Redis", redis.ConnectionString));
        await StartAsync("worker", ("ConnectionStrings:Redis", redis.ConnectionString));
        var api = _cluster.ApiClient(a);
        var everyone = await CreateAsync(api, new { name = "everyone", validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), coupon = new { title = "t", amount = 1 } });
        var limited = await CreateAsync(api, new { name = "limited", validFrom = Now.AddHours(-1), validTo = Now.AddDays(1), stock, coupon = new { title = "t", percent = 15 } });
        return (api, everyone, limited);
    }

    // Every member holds exactly one coupon of everyone, exactly stock members one of limited, and
    // PostgreSQL and Redis agree on who.
    private async Task AssertEachOnceAndStockExactAsync(ConnectionMultiplexer observer, Guid everyone, int members, Guid limited, int stock)
    {
        await WaitForCouponsAsync(observer, _cluster.Redis.Prefix, everyone, members, TimeSpan.FromMinutes(2));
        await WaitForCouponsAsync(observer, _cluster.Redis.Prefix, limited, stock, TimeSpan.FromMinutes(1));
        Assert.Equal(Enumerable.Range(1, members).Select(m => (long)m), await HoldersAsync(everyone));
        Assert.Equal(stock, (await HoldersAsync(limited)).Count);
        Assert.Equal(await HoldersAsync(limited), (await RedisIssuedAsync(observer, _cluster.Redis.Prefix, limited)).Keys.Order());
        Assert.Equal(await HoldersAsync(everyone), (await RedisIssuedAsync(observer, _cluster.Redis.Prefix, everyone)).Keys.Order());
    }

    private async Task<HostProcess> StartAsync(string roles, params (string Key, string Value)[] extra) =>
        await _cluster.StartHostAsync(roles, [("Logging:LogLevel:Promotion.Engine.Coupons", "Debug"), ("Promotion:LoginEvents:RetryFor", "00:01:30"), .. extra]);

    private static async Task<Guid> CreateAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/coupon-campaigns", body, Cluster.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cluster.Json)).GetProperty("id").GetGuid();
    }

    private static async Task PostLoginsAsync(HttpClient api, IReadOnlyList<(long Member, DateTimeOffset At)> events)
    {
        var response = await api.PostAsJsonAsync("/api/events/login", events.Select(e => new { memberId = e.Member, at = e.At }), Cluster.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertBadRequestAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        Assert.True(JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {text}");
    }

    // An outside producer: the endpoint's JSON array to the exchange, routed to one partition.
    private async Task PublishAsync(string body, int partition)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_cluster.Broker.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(LoginExchange, partition.ToString(CultureInfo.InvariantCulture), mandatory: true,
            new BasicProperties { ContentType = "application/json", Persistent = true }, Encoding.UTF8.GetBytes(body));
    }

    // Takes every message off the dead-letter queue and returns the reason the engine put on each.
    private async Task<List<string>> ReadDeadLetterReasonsAsync(int expected)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_cluster.Broker.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        var reasons = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            await using var channel = await connection.CreateChannelAsync();
            while (await channel.BasicGetAsync(DeadLetterQueue, autoAck: true) is { } message)
            {
                var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
                reasons.Add(headers.TryGetValue("promotion-reason", out var reason) && reason is byte[] bytes ? Encoding.UTF8.GetString(bytes) : "(no reason)");
            }

            return reasons.Count >= expected;
        }, TimeSpan.FromSeconds(30), $"{expected} messages in the dead-letter queue");
        foreach (var r in reasons)
        {
            output.WriteLine("dead-letter queue: " + r);
        }

        return reasons;
    }

    private async Task<uint> DeadLetterDepthAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_cluster.Broker.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.MessageCountAsync(DeadLetterQueue);
    }

    // Rows sharing a (campaign, member): the unique key makes this 0 unless it were dropped.
    private async Task<long> DuplicateCouponsAsync()
    {
        await using var source = _cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT count(*) - count(DISTINCT (coupon_campaign_id, member_id)) FROM coupons");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<long> CouponCountAsync()
    {
        await using var source = _cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT count(*) FROM coupons");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<List<long>> HoldersAsync(Guid campaignId)
    {
        await using var source = _cluster.Database.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT member_id FROM coupons WHERE coupon_campaign_id = $1 ORDER BY member_id");
        cmd.Parameters.AddWithValue(campaignId);
        var holders = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            holders.Add(reader.GetInt64(0));
        }

        return holders;
    }

    private static async Task<Dictionary<long, string>> RedisIssuedAsync(ConnectionMultiplexer redis, string prefix, Guid campaignId) =>
        (await redis.GetDatabase().HashGetAllAsync($"{prefix}coupons:{campaignId:D}:issued")).ToDictionary(e => (long)e.Name, e => (string)e.Value!);

    // Done when PostgreSQL holds the coupons and Redis has every one of them marked written.
    private async Task WaitForCouponsAsync(ConnectionMultiplexer redis, string prefix, Guid campaignId, int count, TimeSpan timeout)
    {
        var last = (Pg: 0, Redis: 0, Written: 0);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var issued = await RedisIssuedAsync(redis, prefix, campaignId);
                last = ((await HoldersAsync(campaignId)).Count, issued.Count, issued.Values.Count(v => v == "w"));
                return last.Pg == count && last.Redis == count && last.Written == count;
            }, timeout, $"{count} coupons of {campaignId}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last seen: PostgreSQL {last.Pg}, Redis {last.Redis}, written {last.Written}\n" +
                string.Join("\n----\n", _cluster.Hosts.Select(h => h.Output[^Math.Min(h.Output.Length, 4000)..])), ex);
        }
    }

    private static async Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> action) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) => await action(item));
}
