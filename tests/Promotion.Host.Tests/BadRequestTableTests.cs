using System.Net;
using System.Text;

namespace Promotion.Host.Tests;

/// <summary>
/// Every endpoint family gets at least 20 bad requests on the distributed profile with real
/// servers: each answers the right 4xx with problem details, and no table changes.
/// </summary>
public sealed class BadRequestTableTests : IAsyncLifetime
{
    private const string Operator = DistributedServers.OperatorKey;
    private const string Producer = "producer-key-0123456789abcdef";
    private static readonly string Unknown = Guid.NewGuid().ToString();

    private readonly DistributedServers _servers = new();
    private PromotionHostFactory _factory = null!;

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        _factory = _servers.Host(("Promotion:Roles", "api"), ("Promotion:Security:ProducerApiKeys:0", Producer));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _servers.DisposeAsync();
    }

    public sealed record Case(string Family, string Method, string Url, string? Body, string? Key, HttpStatusCode Expected, string ContentType = "application/json")
    {
        public override string ToString() => $"{Family}: {Method} {Url} {Body?[..Math.Min(Body.Length, 60)]} as {Key?[..8] ?? "nobody"} -> {(int)Expected}";
    }

    private static IEnumerable<Case> Common(string family, string postUrl, string getUrl)
    {
        yield return new(family, "POST", postUrl, "{}", null, HttpStatusCode.Unauthorized);
        yield return new(family, "POST", postUrl, "{}", "wrong-key-0123456789abcdef", HttpStatusCode.Unauthorized);
        yield return new(family, "GET", getUrl, null, null, HttpStatusCode.Unauthorized);
        yield return new(family, "GET", getUrl, null, "short", HttpStatusCode.Unauthorized);
        yield return new(family, "POST", postUrl, "{ not json", Operator, HttpStatusCode.BadRequest);
        yield return new(family, "POST", postUrl, "[1,2", Operator, HttpStatusCode.BadRequest);
        yield return new(family, "POST", postUrl, "\"a string\"", Operator, HttpStatusCode.BadRequest);
        yield return new(family, "POST", postUrl, "null", Operator, HttpStatusCode.BadRequest);
        yield return new(family, "POST", postUrl, "{}", Operator, HttpStatusCode.UnsupportedMediaType, "text/plain");
        yield return new(family, "POST", postUrl, "{\"name\":\"" + new string('x', 1_100_000) + "\"}", Operator, HttpStatusCode.RequestEntityTooLarge);
    }

    public static IEnumerable<Case> Cases()
    {
        const string c = "campaigns";
        foreach (var x in Common(c, "/api/campaigns", "/api/campaigns"))
        {
            yield return x;
        }

        yield return new(c, "POST", "/api/campaigns", "{}", Producer, HttpStatusCode.Forbidden);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","channels":["app"]}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","message":{"title":"t","body":"b"},"channels":["fax"]}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"shardSize":0}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"shardSize":"many"}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"maxSendsPerSecond":-1}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"audience":{"segment":"nobody"}}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"after":"not-a-uuid"}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "POST", "/api/campaigns", $$"""{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"after":"{{Unknown}}"}""", Operator, HttpStatusCode.BadRequest);
        yield return new(c, "GET", "/api/campaigns?pageSize=0", null, Operator, HttpStatusCode.BadRequest);
        yield return new(c, "GET", "/api/campaigns?status=Sleeping", null, Operator, HttpStatusCode.BadRequest);
        yield return new(c, "GET", "/api/campaigns/not-a-uuid", null, Operator, HttpStatusCode.BadRequest);
        yield return new(c, "GET", "/api/campaigns/" + Unknown, null, Operator, HttpStatusCode.NotFound);
        yield return new(c, "POST", $"/api/campaigns/{Unknown}/pause", null, Operator, HttpStatusCode.NotFound);
        yield return new(c, "POST", $"/api/campaigns/{Unknown}/retry-failed", null, Operator, HttpStatusCode.NotFound);
        yield return new(c, "GET", $"/api/campaigns/{Unknown}/report.csv", null, Operator, HttpStatusCode.NotFound);

        const string k = "coupons";
        foreach (var x in Common(k, "/api/coupon-campaigns", "/api/coupon-campaigns"))
        {
            yield return x;
        }

        const string ok = "\"name\":\"c\",\"validFrom\":\"2026-11-01T00:00:00Z\",\"validTo\":\"2026-12-01T00:00:00Z\"";
        yield return new(k, "POST", "/api/coupon-campaigns", "{" + ok + ",\"coupon\":{\"title\":\"t\",\"amount\":5}}", Producer, HttpStatusCode.Forbidden);
        yield return new(k, "POST", "/api/coupon-campaigns", """{"name":"c","validFrom":"2026-12-01T00:00:00Z","validTo":"2026-11-01T00:00:00Z","coupon":{"title":"t","amount":5}}""", Operator, HttpStatusCode.BadRequest);
        yield return new(k, "POST", "/api/coupon-campaigns", "{" + ok + ",\"stock\":-1,\"coupon\":{\"title\":\"t\",\"amount\":5}}", Operator, HttpStatusCode.BadRequest);
        yield return new(k, "POST", "/api/coupon-campaigns", "{" + ok + ",\"coupon\":{\"title\":\"t\",\"amount\":5,\"percent\":10}}", Operator, HttpStatusCode.BadRequest);
        yield return new(k, "POST", "/api/coupon-campaigns", "{" + ok + ",\"coupon\":{\"title\":\"t\",\"percent\":150}}", Operator, HttpStatusCode.BadRequest);
        yield return new(k, "POST", "/api/coupon-campaigns", "{" + ok + "}", Operator, HttpStatusCode.BadRequest);
        yield return new(k, "POST", "/api/coupon-campaigns", "{" + ok + ",\"coupon\":{\"title\":\"t\",\"amount\":\"five\"}}", Operator, HttpStatusCode.BadRequest);
        yield return new(k, "GET", "/api/coupon-campaigns/not-a-uuid", null, Operator, HttpStatusCode.BadRequest);
        yield return new(k, "GET", "/api/coupon-campaigns/" + Unknown, null, Operator, HttpStatusCode.NotFound);
        yield return new(k, "POST", $"/api/coupon-campaigns/{Unknown}/stop", null, Operator, HttpStatusCode.NotFound);
        yield return new(k, "GET", "/api/members/abc/coupons", null, Operator, HttpStatusCode.BadRequest);
        yield return new(k, "POST", $"/api/coupons/{Unknown}/claim", null, Operator, HttpStatusCode.NotFound);
        yield return new(k, "POST", $"/api/coupons/{Unknown}/redeem", """{"orderId":"o-1"}""", Operator, HttpStatusCode.NotFound);

        const string e = "events";
        foreach (var x in Common(e, "/api/events/login", "/api/coupon-campaigns"))
        {
            yield return x;
        }

        yield return new(e, "POST", "/api/events/login", """[{"memberId":"abc","at":"2026-11-21T10:00:00Z"}]""", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", """[{"memberId":-4,"at":"2026-11-21T10:00:00Z"}]""", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", """[{"memberId":1.5,"at":"2026-11-21T10:00:00Z"}]""", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", """[{"memberId":1,"at":"yesterday"}]""", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", """[{"memberId":1,"at":"2026-11-21T10:00:00Z"},{"memberId":"x"}]""", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", "[" + string.Join(",", Enumerable.Repeat("""{"memberId":1,"at":"2026-11-21T10:00:00Z"}""", 1_001)) + "]", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", """{"memberId":1,"at":"2026-11-21T10:00:00Z"}""", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", "[null]", Producer, HttpStatusCode.BadRequest);
        yield return new(e, "POST", "/api/events/login", "[]", "wrong-key-0123456789abcdef", HttpStatusCode.Unauthorized);
        yield return new(e, "GET", "/api/coupon-campaigns", null, Producer, HttpStatusCode.Forbidden);

        const string h = "hot-goods";
        foreach (var x in Common(h, "/api/hot-goods-schedules", "/api/hot-goods-schedules"))
        {
            yield return x;
        }

        yield return new(h, "POST", "/api/hot-goods-schedules", """{"segment":"gamers","cron":"0 0 8 * * ?","topK":5}""", Producer, HttpStatusCode.Forbidden);
        yield return new(h, "POST", "/api/hot-goods-schedules", """{"segment":"gamers","cron":"every day","topK":5}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "POST", "/api/hot-goods-schedules", """{"segment":"gamers","cron":"0 0 8 * * ?","topK":0}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "POST", "/api/hot-goods-schedules", """{"segment":"gamers","cron":"0 0 8 * * ?","topK":"five"}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "POST", "/api/hot-goods-schedules", """{"segment":"gamers","cron":"0 0 8 * * ?","topK":5,"timeZone":"Mars/Olympus"}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "POST", "/api/hot-goods-schedules", """{"segment":"nobody","cron":"0 0 8 * * ?","topK":5}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "POST", "/api/hot-goods-schedules", """{"cron":"0 0 8 * * ?","topK":5}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "GET", "/api/hot-goods-schedules/not-a-uuid", null, Operator, HttpStatusCode.BadRequest);
        yield return new(h, "GET", "/api/hot-goods-schedules/" + Unknown, null, Operator, HttpStatusCode.NotFound);
        yield return new(h, "POST", $"/api/hot-goods-schedules/{Unknown}/pause", null, Operator, HttpStatusCode.NotFound);
        yield return new(h, "DELETE", "/api/hot-goods-schedules/" + Unknown, null, Operator, HttpStatusCode.NotFound);
        yield return new(h, "PUT", "/api/segments/gamers/categories", """{"categories":"phones"}""", Operator, HttpStatusCode.BadRequest);
        yield return new(h, "PUT", "/api/segments/gamers/categories", """{"categories":["no-such-category"]}""", Operator, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Every_family_gets_at_least_20_bad_requests_answered_with_the_right_4xx_and_nothing_changes()
    {
        var cases = Cases().ToList();
        Assert.All(cases.GroupBy(x => x.Family), g => Assert.True(g.Count() >= 20, $"{g.Key} has only {g.Count()} cases"));
        using var client = _factory.CreateClient();
        var before = await TableCountsAsync();

        var wrong = new List<string>();
        foreach (var x in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(x.Method), x.Url);
            if (x.Body is not null)
            {
                request.Content = new StringContent(x.Body, Encoding.UTF8, x.ContentType);
            }

            if (x.Key is not null)
            {
                request.Headers.Add("X-Api-Key", x.Key);
            }

            using var response = await client.SendAsync(request);
            var type = response.Content.Headers.ContentType?.MediaType;
            if (response.StatusCode != x.Expected || type != "application/problem+json")
            {
                wrong.Add($"{x} answered {(int)response.StatusCode} {type}: {(await response.Content.ReadAsStringAsync())[..Math.Min(200, (int)(response.Content.Headers.ContentLength ?? 200))]}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(before, await TableCountsAsync());
    }

    private async Task<Dictionary<string, long>> TableCountsAsync()
    {
        await using var source = _servers.Database.CreateDataSource();
        var tables = new List<string>();
        await using (var list = source.CreateCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'qrtz%' ORDER BY tablename"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new Dictionary<string, long>();
        foreach (var t in tables)
        {
            await using var count = source.CreateCommand($"SELECT count(*) FROM \"{t}\"");
            counts[t] = (long)(await count.ExecuteScalarAsync())!;
        }

        return counts;
    }
}
