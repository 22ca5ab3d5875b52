using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Promotion.Host.Tests.Endpoints;

/// <summary>One embedded host shared by the class's tests (no demo campaign, so totals are the tests' own).</summary>
public sealed class EmbeddedHostFixture : IAsyncLifetime
{
    public PromotionHostFactory Factory { get; } = PromotionHostFactory.Embedded(("Promotion:Demo:Campaign", "false"));

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

public sealed class CampaignRequestValidationTests(EmbeddedHostFixture host) : IClassFixture<EmbeddedHostFixture>
{
    private readonly HttpClient _client = host.Client;

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"name":"x","channels":["app"]}""", "message.title" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["fax"]}""", "channels[0]" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":[]}""", "channels" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"shardSize":0}""", "shardSize" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"maxSendsPerSecond":-5}""", "maxSendsPerSecond" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"audience":{"segment":"no-such-segment"}}""", "audience.segment" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"priority":"urgent"}""", "priority" },
        { """{"message":{"title":"t","body":"b"},"channels":["app"]}""", "name" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"],"shardSize":"many"}""", "shardSize" },
        { """{"name":"x","message":{"title":"t","body":"b"},"channels":["app"]""", "body" },
        { "null", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_campaign_gets_400_problem_details_naming_the_field_and_creates_nothing(string body, string field)
    {
        var before = await TotalAsync();
        var response = await _client.PostAsync("/api/campaigns", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.Equal(before, await TotalAsync());
    }

    [Fact]
    public async Task A_valid_campaign_is_accepted_at_once_and_listed()
    {
        var before = await TotalAsync();
        var response = await _client.PostAsJsonAsync("/api/campaigns", new
        {
            name = "ok",
            audience = new { segment = "vip" },
            message = new { title = "t", body = "b" },
            channels = new[] { "app", "email" },
            priority = "high",
            shardSize = 100,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/campaigns/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(before + 1, await TotalAsync());

        var campaign = await _client.GetFromJsonAsync<JsonElement>($"/api/campaigns/{id}");
        Assert.Equal("ok", campaign.GetProperty("name").GetString());
        Assert.Equal("vip", campaign.GetProperty("audience").GetProperty("segment").GetString());
        Assert.Equal("High", campaign.GetProperty("priority").GetString());
    }

    [Theory]
    [InlineData("/api/campaigns?status=Sleeping", "status")]
    [InlineData("/api/campaigns?kind=fax", "kind")]
    [InlineData("/api/campaigns?page=0", "page")]
    [InlineData("/api/campaigns?pageSize=5000", "pageSize")]
    [InlineData("/api/campaigns/not-a-uuid", "id")]
    public async Task Bad_queries_get_400_naming_the_parameter(string url, string field)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("cancel")]
    [InlineData("retry-failed")]
    public async Task Commands_on_an_unknown_campaign_get_404(string verb)
    {
        var response = await _client.PostAsync($"/api/campaigns/{Guid.NewGuid()}/{verb}", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<long> TotalAsync() =>
        (await _client.GetFromJsonAsync<JsonElement>("/api/campaigns")).GetProperty("total").GetInt64();
}
