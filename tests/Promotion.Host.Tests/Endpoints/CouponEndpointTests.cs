using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Host.Tests.Endpoints;

/// <summary>The coupon and login event endpoints on an embedded host (in-memory ledger, store and transport).</summary>
public sealed class CouponEndpointTests(EmbeddedHostFixture host) : IClassFixture<EmbeddedHostFixture>
{
    private static readonly string From = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
    private static readonly string To = DateTimeOffset.UtcNow.AddDays(1).ToString("O");
    private readonly HttpClient _client = host.Client;

    public static TheoryData<string, string> BadCampaigns => new()
    {
        { $$$"""{"name":"x","validFrom":"{{{To}}}","validTo":"{{{From}}}","coupon":{"title":"t","amount":5}}""", "validTo" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","stock":-1,"coupon":{"title":"t","amount":5}}""", "stock" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t","amount":5,"percent":10}}""", "coupon" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t"}}""", "coupon" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t","percent":150}}""", "coupon.percent" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t","percent":12.5}}""", "coupon.percent" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t","amount":-2}}""", "coupon.amount" },
        { $$$"""{"name":"x","validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"amount":2}}""", "coupon.title" },
        { $$$"""{"validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t","amount":2}}""", "name" },
        { $$$"""{"name":"x","audience":{"segment":"astronauts"},"validFrom":"{{{From}}}","validTo":"{{{To}}}","coupon":{"title":"t","amount":2}}""", "audience.segment" },
        { $$$"""{"name":"x","validFrom":"yesterday","validTo":"{{{To}}}","coupon":{"title":"t","amount":2}}""", "validFrom" },
        { $$$"""{"name":"x","validTo":"{{{To}}}","coupon":{"title":"t","amount":2}}""", "validFrom" },
        { """{"name":"x",""", "body" },
    };

    public static TheoryData<string, string> BadLogins => new()
    {
        { $$$"""[{"memberId":1,"at":"{{{From}}}"},{"memberId":2,"at":"{{{From}}}"},{"memberId":3,"at":"{{{From}}}"},{"memberId":"abc","at":"{{{From}}}"}]""", "[3].memberId" },
        { $$$"""[{"memberId":-7,"at":"{{{From}}}"}]""", "[0].memberId" },
        { $$$"""[{"memberId":1.5,"at":"{{{From}}}"}]""", "[0].memberId" },
        { """[{"memberId":1}]""", "[0].at" },
        { """[{"memberId":1,"at":"2026-05-01T12:00:00"}]""", "[0].at" },
        { """[7]""", "[0]" },
        { """{"memberId":1}""", "body" },
        { """[]""", "body" },
        { "[{", "body" },
        { "[" + string.Join(",", Enumerable.Repeat($$$"""{"memberId":1,"at":"{{{From}}}"}""", 1001)) + "]", "body" },
    };

    [Theory]
    [MemberData(nameof(BadCampaigns))]
    public async Task A_bad_coupon_campaign_gets_400_naming_the_field(string body, string field)
    {
        var response = await _client.PostAsync("/api/coupon-campaigns", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertNamesAsync(response, field);
    }

    [Theory]
    [MemberData(nameof(BadLogins))]
    public async Task A_bad_login_batch_gets_400_naming_the_item_and_queues_nothing(string body, string field)
    {
        var response = await _client.PostAsync("/api/events/login", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertNamesAsync(response, field);
    }

    [Fact]
    public async Task Coupons_are_issued_on_login_then_claimed_and_redeemed_idempotently_with_409_for_illegal_moves()
    {
        var created = await _client.PostAsJsonAsync("/api/coupon-campaigns", new
        {
            name = "welcome back",
            validFrom = DateTimeOffset.UtcNow.AddHours(-1),
            validTo = DateTimeOffset.UtcNow.AddDays(1),
            stock = 2,
            coupon = new { title = "5 off", amount = 5, minSpend = 20 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/coupon-campaigns/{id}", created.Headers.Location?.OriginalString);

        var now = DateTimeOffset.UtcNow;
        var accepted = await _client.PostAsJsonAsync("/api/events/login", new object[]
        {
            new { memberId = 11, at = now }, new { memberId = "12", at = now }, new { memberId = 11, at = now }, new { memberId = 13, at = now },
        });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        JsonElement campaign = default;
        await Eventually.TrueAsync(async () =>
        {
            campaign = await _client.GetFromJsonAsync<JsonElement>($"/api/coupon-campaigns/{id}");
            return campaign.GetProperty("issued").GetInt64() == 2;
        }, TimeSpan.FromSeconds(10), "two coupons to be issued");
        Assert.Equal(0, campaign.GetProperty("stockLeft").GetInt64());
        Assert.Equal("SoldOut", campaign.GetProperty("status").GetString());

        var holders = new List<long>();
        foreach (var member in new[] { 11, 12, 13 })
        {
            var items = (await _client.GetFromJsonAsync<JsonElement>($"/api/members/{member}/coupons")).GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                holders.Add(member);
            }
        }

        Assert.Equal(2, holders.Count);
        var coupon = (await _client.GetFromJsonAsync<JsonElement>($"/api/members/{holders[0]}/coupons")).GetProperty("items")[0];
        Assert.Equal("Issued", coupon.GetProperty("status").GetString());
        Assert.Equal(id, coupon.GetProperty("couponCampaignId").GetGuid());
        var couponId = coupon.GetProperty("id").GetGuid();

        var early = await _client.PostAsJsonAsync($"/api/coupons/{couponId}/redeem", new { orderId = "o-1" });
        await AssertConflictAsync(early, "claim it first");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/coupons/{couponId}/claim", null)).StatusCode);
        var again = await _client.PostAsync($"/api/coupons/{couponId}/claim", null);
        Assert.Equal("Claimed", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await AssertNamesAsync(await _client.PostAsJsonAsync($"/api/coupons/{couponId}/redeem", new { }), "orderId");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync($"/api/coupons/{couponId}/redeem", new { orderId = "o-1" })).StatusCode);
        var redeemed = await _client.PostAsJsonAsync($"/api/coupons/{couponId}/redeem", new { orderId = "o-1" });
        Assert.Equal("Redeemed", (await redeemed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await AssertConflictAsync(await _client.PostAsJsonAsync($"/api/coupons/{couponId}/redeem", new { orderId = "o-2" }), "already redeemed with order 'o-1'");
        await AssertConflictAsync(await _client.PostAsync($"/api/coupons/{couponId}/claim", null), "cannot claim a coupon that is Redeemed");

        var stopped = await _client.PostAsync($"/api/coupon-campaigns/{id}/stop", null);
        Assert.Equal("Stopped", (await stopped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var list = await _client.GetFromJsonAsync<JsonElement>("/api/coupon-campaigns?pageSize=200");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetGuid() == id);
    }

    [Theory]
    [InlineData("GET", "/api/coupon-campaigns/not-a-uuid", HttpStatusCode.BadRequest, "id")]
    [InlineData("POST", "/api/coupon-campaigns/not-a-uuid/stop", HttpStatusCode.BadRequest, "id")]
    [InlineData("GET", "/api/members/abc/coupons", HttpStatusCode.BadRequest, "id")]
    [InlineData("GET", "/api/members/-3/coupons", HttpStatusCode.BadRequest, "id")]
    [InlineData("POST", "/api/coupons/nope/claim", HttpStatusCode.BadRequest, "id")]
    [InlineData("GET", "/api/coupon-campaigns?page=0", HttpStatusCode.BadRequest, "page")]
    [InlineData("GET", "/api/coupon-campaigns/00000000-0000-0000-0000-000000000001", HttpStatusCode.NotFound, null)]
    [InlineData("POST", "/api/coupon-campaigns/00000000-0000-0000-0000-000000000001/stop", HttpStatusCode.NotFound, null)]
    [InlineData("POST", "/api/coupons/00000000-0000-0000-0000-000000000001/claim", HttpStatusCode.NotFound, null)]
    public async Task Bad_ids_get_400_and_unknown_ones_404(string method, string url, HttpStatusCode status, string? field)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            await AssertNamesAsync(response, field);
        }
    }

    private static async Task AssertNamesAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {text}");
    }

    private static async Task AssertConflictAsync(HttpResponseMessage response, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{response.StatusCode}: {text}");
        Assert.Contains(message, text, StringComparison.Ordinal);
    }
}
