using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Promotion.Host.Tests.Endpoints;

/// <summary>The hot-goods admin API on an embedded host (its demo goods map each demo segment to three categories).</summary>
public sealed class HotGoodsEndpointsTests(EmbeddedHostFixture host) : IClassFixture<EmbeddedHostFixture>
{
    private readonly HttpClient _client = host.Client;

    public static TheoryData<string, string[]> BadSchedules => new()
    {
        { """{"segment":"gamers","cron":"*/5 * * * *","topK":5}""", ["cron"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ? 2030","topK":5}""", ["cron"] },
        { """{"segment":"gamers","cron":"0 0 10 ? * 0","topK":5}""", ["cron"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?","topK":0}""", ["topK"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?"}""", ["topK"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?","topK":5,"timeZone":"Mars/Base"}""", ["timeZone"] },
        { """{"segment":"no-such-segment","cron":"0 0 10 * * ?","topK":5}""", ["segment"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?","topK":5,"channels":["fax"]}""", ["channels[0]"] },
        { """{"cron":"nonsense","topK":"many"}""", ["topK"] },
        { """{"cron":"nonsense","topK":99,"timeZone":"x/y"}""", ["segment", "cron", "topK", "timeZone"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?","topK":5,"followUp":{"name":"Thanks","channels":["app"]}}""", ["followUp.message.title", "followUp.message.body"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?","topK":5,"followUp":{"name":"Thanks","audience":{"segment":"nobody"},"message":{"title":"t","body":"b"},"channels":["app"]}}""", ["followUp.audience.segment"] },
        { """{"segment":"gamers","cron":"0 0 10 * * ?","topK":5,"followUp":{"name":"Thanks","message":{"title":"t","body":"b"},"channels":["app"],"maxSendsPerSecond":-1}}""", ["followUp.maxSendsPerSecond"] },
    };

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public async Task A_bad_schedule_gets_400_naming_each_field_and_creates_nothing(string body, string[] fields)
    {
        var before = await CountAsync();
        var response = await _client.PostAsync("/api/hot-goods-schedules", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(fields.Order(), errors.Order());
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_schedules_follow_up_is_shown_as_it_was_asked_for()
    {
        var created = await _client.PostAsJsonAsync("/api/hot-goods-schedules", new
        {
            segment = "gamers",
            cron = "0 0 10 ? * MON",
            topK = 3,
            followUp = new { name = "Thanks", audience = new { segment = "gamers" }, message = new { title = "Thank you", body = "See you" }, channels = new[] { "sms" }, priority = "low" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var followUp = (await _client.GetFromJsonAsync<JsonElement>($"/api/hot-goods-schedules/{id}")).GetProperty("followUp");
        Assert.Equal("Thanks", followUp.GetProperty("name").GetString());
        Assert.Equal("gamers", followUp.GetProperty("audience").GetProperty("segment").GetString());
        Assert.Equal("Thank you", followUp.GetProperty("message").GetProperty("title").GetString());
        Assert.Equal(["sms"], followUp.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("low", followUp.GetProperty("priority").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/hot-goods-schedules/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_schedule_is_created_shown_paused_resumed_and_deleted_with_404_and_409_where_due()
    {
        var created = await _client.PostAsJsonAsync("/api/hot-goods-schedules", new { segment = "gamers", cron = "0 0 10 ? * MON", topK = 5, timeZone = "Europe/Berlin" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/hot-goods-schedules/{id}", created.Headers.Location?.ToString());

        Assert.True(await HasReminderAsync(id), "the Orleans Dashboard lists the schedule's reminder");

        var shown = await _client.GetFromJsonAsync<JsonElement>($"/api/hot-goods-schedules/{id}");
        Assert.Equal("Active", shown.GetProperty("status").GetString());
        Assert.Equal("Europe/Berlin", shown.GetProperty("timeZone").GetString());
        Assert.Equal(["app"], shown.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        var next = shown.GetProperty("nextFireTime").GetDateTimeOffset();
        Assert.Equal(DayOfWeek.Monday, TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).DayOfWeek);
        Assert.Equal(10, TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour);

        var paused = await _client.PostAsync($"/api/hot-goods-schedules/{id}/pause", null);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nextFireTime").ValueKind);
        Assert.False(await HasReminderAsync(id), "a paused schedule keeps no reminder");
        var again = await _client.PostAsync($"/api/hot-goods-schedules/{id}/pause", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("cannot pause a schedule that is Paused", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var resumed = await _client.PostAsync($"/api/hot-goods-schedules/{id}/resume", null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(next, (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nextFireTime").GetDateTimeOffset());
        Assert.True(await HasReminderAsync(id));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/hot-goods-schedules/{id}/resume", null)).StatusCode);

        var list = await _client.GetFromJsonAsync<JsonElement>("/api/hot-goods-schedules");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>($"/api/hot-goods-schedules/{id}/firings")).GetProperty("items").EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/hot-goods-schedules/{id}")).StatusCode);
        Assert.False(await HasReminderAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/hot-goods-schedules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync($"/api/hot-goods-schedules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync($"/api/hot-goods-schedules/{id}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/hot-goods-schedules/not-a-uuid")).StatusCode);
    }

    [Fact]
    public async Task Segment_categories_are_replaced_through_the_api_and_bad_ones_refused()
    {
        var put = await _client.PutAsJsonAsync("/api/segments/vip/categories", new { categories = new[] { "toys ", "books", "toys" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var got = await _client.GetFromJsonAsync<JsonElement>("/api/segments/vip/categories");
        Assert.Equal(["books", "toys"], got.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));

        var unknown = await _client.PutAsJsonAsync("/api/segments/vip/categories", new { categories = new[] { "books", "garden" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("categories[1]", out _));
        var blank = await _client.PutAsJsonAsync("/api/segments/vip/categories", new { categories = new[] { " " } });
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        var missing = await _client.PutAsync("/api/segments/vip/categories", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("categories", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PutAsJsonAsync("/api/segments/nobody/categories", new { categories = new[] { "toys" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/segments/nobody/categories")).StatusCode);
        Assert.Equal(["books", "toys"], (await _client.GetFromJsonAsync<JsonElement>("/api/segments/vip/categories")).GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
    }

    // The Orleans Dashboard's reminders page: each active schedule's grain (key: the schedule id) with its reminder.
    private async Task<bool> HasReminderAsync(Guid scheduleId)
    {
        var page = await _client.GetFromJsonAsync<JsonElement>("/dashboard/Reminders");
        return page.GetProperty("reminders").EnumerateArray().Any(r =>
            r.GetProperty("primaryKey").GetString() == scheduleId.ToString("N") && r.GetProperty("name").GetString() == "hot-goods-schedule");
    }

    private async Task<int> CountAsync() =>
        (await _client.GetFromJsonAsync<JsonElement>("/api/hot-goods-schedules")).GetProperty("items").GetArrayLength();
}
