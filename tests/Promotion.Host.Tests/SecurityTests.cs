using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Promotion.Host.Tests;

public sealed class SecuredHostFixture : IAsyncLifetime
{
    public const string Operator = "operator-key-0123456789abcdef";
    public const string Producer = "producer-key-0123456789abcdef";

    public PromotionHostFactory Factory { get; } = PromotionHostFactory.Embedded(
        ("Promotion:Demo:Campaign", "false"),
        ("Promotion:Security:OperatorApiKeys:0", Operator),
        ("Promotion:Security:ProducerApiKeys:0", Producer));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    public HttpClient Client(string? key)
    {
        var client = Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }
}

public sealed class SecurityTests(SecuredHostFixture host) : IClassFixture<SecuredHostFixture>
{
    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("", HttpStatusCode.Unauthorized)]
    [InlineData("wrong-key-0123456789abcdef", HttpStatusCode.Unauthorized)]
    [InlineData("operator-key-0123456789abcdeX", HttpStatusCode.Unauthorized)]
    [InlineData(SecuredHostFixture.Producer, HttpStatusCode.Forbidden)]
    [InlineData(SecuredHostFixture.Operator, HttpStatusCode.OK)]
    public async Task The_admin_api_needs_an_operator_key(string? key, HttpStatusCode expected)
    {
        using var client = host.Client(key);
        var response = await client.GetAsync("/api/campaigns");
        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(SecuredHostFixture.Operator, body, StringComparison.Ordinal);
            Assert.DoesNotContain(SecuredHostFixture.Producer, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_producer_key_may_post_events_but_nothing_else()
    {
        using var producer = host.Client(SecuredHostFixture.Producer);
        var events = await producer.PostAsync("/api/events/login", new StringContent("""[{"memberId":1,"at":"2026-11-21T10:00:00Z"}]""", Encoding.UTF8, "application/json"));
        Assert.NotEqual(HttpStatusCode.Unauthorized, events.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, events.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await producer.PostAsJsonAsync("/api/campaigns", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await producer.GetAsync("/api/stats")).StatusCode);

        using var anonymous = host.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/events/login", new StringContent("[]", Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/dashboard/")]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api-docs/")]
    public async Task Both_dashboards_need_an_operator_key_or_a_signed_in_browser(string path)
    {
        using var anonymous = host.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        using var producer = host.Client(SecuredHostFixture.Producer);
        Assert.Equal(HttpStatusCode.Forbidden, (await producer.GetAsync(path)).StatusCode);
        using var operatorClient = host.Client(SecuredHostFixture.Operator);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_browser_gets_the_sign_in_page_then_a_session_cookie_that_opens_both_dashboards()
    {
        using var browser = host.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var page = new HttpRequestMessage(HttpMethod.Get, "/dashboard/?tab=silos");
        page.Headers.Accept.ParseAdd("text/html");
        var signInPage = await browser.SendAsync(page);
        Assert.Equal(HttpStatusCode.Unauthorized, signInPage.StatusCode);
        var html = await signInPage.Content.ReadAsStringAsync();
        Assert.Contains("action=\"/signin\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"/dashboard/?tab=silos\"", html, StringComparison.Ordinal);

        var wrong = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = SecuredHostFixture.Producer, ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        // Only local return paths: a sign-in never sends the browser elsewhere.
        var signedIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = SecuredHostFixture.Operator, ["returnUrl"] = "//evil.example/x" }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(SecuredHostFixture.Operator, Uri.UnescapeDataString(cookie), StringComparison.Ordinal);

        var session = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
        foreach (var path in new[] { "/dashboard/DashboardCounters", "/api/stats", "/", "/api-docs/", "/openapi/v1.json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", session);
            Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request)).StatusCode);
        }

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        forged.Headers.Add("Cookie", session[..^4] + "AAA=");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task Health_and_liveness_stay_open_for_probes()
    {
        using var anonymous = host.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/alive")).StatusCode);
        var unauthorized = await anonymous.GetAsync("/api/campaigns");
        Assert.Contains("X-Api-Key", unauthorized.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_before_it_is_read()
    {
        using var client = host.Client(SecuredHostFixture.Operator);
        var huge = "{\"name\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        var response = await client.PostAsync("/api/campaigns", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("Promotion:Security:OperatorApiKeys:0", "short", "Promotion:Security")]
    [InlineData("Urls", "http://0.0.0.0:5080", "Promotion:Security:OperatorApiKeys")]
    public void Weak_keys_and_an_open_embedded_host_beyond_loopback_are_refused_at_start(string key, string value, string named)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => PromotionWebHost.Build([$"--{key}={value}"]));
        Assert.Contains(ex.Failures, f => f.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void The_distributed_profile_requires_operator_keys()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Promotion:Profile"] = "Distributed",
            ["Promotion:Roles"] = "api",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1",
            ["ConnectionStrings:Redis"] = "127.0.0.1",
            ["ConnectionStrings:RabbitMq"] = "amqp://u:p@127.0.0.1/",
        }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => Composition.PromotionSettings.Read(config));
        Assert.Contains(ex.Failures, f => f.StartsWith("Promotion:Security:OperatorApiKeys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_json_error_for_a_wrong_key_says_nothing_about_the_keys()
    {
        using var client = host.Client("wrong-key-0123456789abcdef");
        var problem = await (await client.GetAsync("/api/stats")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("the API key is not valid", problem.GetProperty("detail").GetString());
    }
}
