using System.Text.Json;

namespace Promotion.Host.Tests.Endpoints;

/// <summary>
/// The OpenAPI document of the admin API describes every request body: each POST and PUT under
/// <c>/api</c> is listed here as reading a JSON body or as reading none, so a new one must be
/// classified, and one that reads a body must carry an application/json schema.
/// </summary>
public sealed class OpenApiDocumentTests(EmbeddedHostFixture host) : IClassFixture<EmbeddedHostFixture>
{
    private readonly HttpClient _client = host.Client;

    /// <summary>Operations whose handler reads a JSON body.</summary>
    private static readonly (string Method, string Path)[] WithBody =
    [
        ("post", "/api/campaigns"),
        ("post", "/api/coupon-campaigns"),
        ("post", "/api/coupons/{id}/redeem"),
        ("post", "/api/events/login"),
        ("post", "/api/hot-goods-schedules"),
        ("put", "/api/segments/{segment}/categories"),
    ];

    /// <summary>POST commands that take everything from the route.</summary>
    private static readonly (string Method, string Path)[] WithoutBody =
    [
        ("post", "/api/campaigns/{id}/pause"),
        ("post", "/api/campaigns/{id}/resume"),
        ("post", "/api/campaigns/{id}/cancel"),
        ("post", "/api/campaigns/{id}/retry-failed"),
        ("post", "/api/coupon-campaigns/{id}/stop"),
        ("post", "/api/coupons/{id}/claim"),
        ("post", "/api/hot-goods-schedules/{id}/pause"),
        ("post", "/api/hot-goods-schedules/{id}/resume"),
    ];

    [Fact]
    public async Task Every_operation_that_reads_a_body_has_a_json_request_schema_and_its_reading_problems()
    {
        using var document = await ReadDocumentAsync();
        var paths = document.RootElement.GetProperty("paths");

        var wrong = new List<string>();
        foreach (var (method, path) in WithBody)
        {
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation))
            {
                wrong.Add($"{method} {path}: not in the document");
                continue;
            }

            if (!operation.TryGetProperty("requestBody", out var body)
                || !body.TryGetProperty("content", out var content)
                || !content.TryGetProperty("application/json", out var json)
                || !json.TryGetProperty("schema", out var schema))
            {
                wrong.Add($"{method} {path}: no application/json request schema");
                continue;
            }

            var resolved = Resolve(document.RootElement, schema);
            if (!resolved.TryGetProperty("properties", out _) && !(resolved.TryGetProperty("items", out var items) && Resolve(document.RootElement, items).TryGetProperty("properties", out _)))
            {
                wrong.Add($"{method} {path}: the request schema names no properties: {resolved}");
            }

            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "400", "413", "415" })
            {
                if (!responses.TryGetProperty(status, out _))
                {
                    wrong.Add($"{method} {path}: no {status} response");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Every_post_and_put_under_api_is_known_to_read_a_body_or_not_and_only_the_former_declare_one()
    {
        using var document = await ReadDocumentAsync();
        var documented = new List<(string Method, string Path, bool HasBody)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "put" or "patch"))
            {
                documented.Add((operation.Name, path.Name, operation.Value.TryGetProperty("requestBody", out _)));
            }
        }

        var unknown = documented.Where(d => !WithBody.Contains((d.Method, d.Path)) && !WithoutBody.Contains((d.Method, d.Path))).ToList();
        Assert.True(unknown.Count == 0, "classify these operations in this test (does the handler read a body?): " + string.Join(", ", unknown.Select(u => $"{u.Method} {u.Path}")));
        var missing = WithBody.Concat(WithoutBody).Where(e => !documented.Any(d => d.Method == e.Method && d.Path == e.Path)).ToList();
        Assert.True(missing.Count == 0, "not in the document: " + string.Join(", ", missing.Select(m => $"{m.Method} {m.Path}")));
        var bodyless = documented.Where(d => WithoutBody.Contains((d.Method, d.Path)) && d.HasBody).ToList();
        Assert.True(bodyless.Count == 0, "these read no body but declare one: " + string.Join(", ", bodyless.Select(b => $"{b.Method} {b.Path}")));
    }

    [Fact]
    public async Task The_create_schedule_body_names_segment_cron_and_topK_and_login_events_are_an_array_of_member_and_time()
    {
        using var document = await ReadDocumentAsync();
        var root = document.RootElement;

        var schedule = Resolve(root, RequestSchema(root, "post", "/api/hot-goods-schedules"));
        var properties = schedule.GetProperty("properties");
        foreach (var name in new[] { "segment", "cron", "topK", "timeZone", "channels" })
        {
            Assert.True(properties.TryGetProperty(name, out _), $"the create-schedule schema has no '{name}': {schedule}");
        }

        Assert.Contains("integer", TypesOf(properties.GetProperty("topK")));

        var logins = RequestSchema(root, "post", "/api/events/login");
        Assert.Contains("array", TypesOf(logins));
        var item = Resolve(root, logins.GetProperty("items")).GetProperty("properties");
        Assert.True(item.TryGetProperty("memberId", out _) && item.TryGetProperty("at", out _), item.ToString());
    }

    [Fact]
    public async Task The_document_declares_the_api_key_header()
    {
        using var document = await ReadDocumentAsync();
        var root = document.RootElement;

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.Contains(root.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("ApiKey", out _));
    }

    private async Task<JsonDocument> ReadDocumentAsync() => JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json"));

    private static JsonElement RequestSchema(JsonElement root, string method, string path) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");

    // Follows a local "$ref": "#/components/schemas/Name".
    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
        {
            return schema;
        }

        const string Prefix = "#/components/schemas/";
        var target = reference.GetString()!;
        Assert.StartsWith(Prefix, target, StringComparison.Ordinal);
        return root.GetProperty("components").GetProperty("schemas").GetProperty(target[Prefix.Length..]);
    }

    // "type" is a string or, in OpenAPI 3.1, an array of strings.
    private static string[] TypesOf(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];
}
