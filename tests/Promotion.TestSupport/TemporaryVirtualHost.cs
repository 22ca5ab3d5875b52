using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Promotion.TestSupport;

/// <summary>
/// A RabbitMQ virtual host created for one test class through the management API and deleted
/// afterwards, so queues and messages of different tests never meet.
/// </summary>
public sealed class TemporaryVirtualHost : IAsyncLifetime
{
    private readonly HttpClient _http;
    private readonly Uri _amqp = new(TestServers.RabbitMq);
    private readonly string _user;

    public TemporaryVirtualHost()
    {
        var userInfo = _amqp.UserInfo.Split(':', 2);
        _user = Uri.UnescapeDataString(userInfo[0]);
        _http = new HttpClient { BaseAddress = TestServers.RabbitMqManagement, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(_amqp.UserInfo))));
    }

    public string Name { get; } = "promotion-t-" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => new UriBuilder(_amqp) { Path = "/" + Uri.EscapeDataString(Name) }.Uri.ToString();

    /// <summary>Messages ready in <paramref name="queue"/> (the management API refreshes every few seconds).</summary>
    public async Task<long> MessagesReadyAsync(string queue)
    {
        var q = await _http.GetFromJsonAsync<QueueInfo>($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        return q?.messages_ready ?? 0;
    }

    /// <summary>What the management API says of <paramref name="queue"/> (messages counts ready and unacknowledged; refreshed every few seconds).</summary>
    public async Task<System.Text.Json.JsonElement> QueueAsync(string queue) =>
        await _http.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");

    /// <summary>Up to <paramref name="count"/> messages of <paramref name="queue"/> (left in the queue), as the management API shows them.</summary>
    public async Task<System.Text.Json.JsonElement> PeekAsync(string queue, int count)
    {
        var response = await _http.PostAsJsonAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50_000 });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }

    /// <summary>Publishes raw bytes straight to <paramref name="queue"/> (as a producer outside the engine would).</summary>
    public async Task PublishRawAsync(string queue, byte[] body, string contentType)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new RabbitMQ.Client.BasicProperties { ContentType = contentType, Persistent = true, MessageId = Guid.NewGuid().ToString() };
        await channel.BasicPublishAsync(string.Empty, queue, false, properties, body);
    }

    public async Task InitializeAsync()
    {
        (await _http.PutAsync($"api/vhosts/{Uri.EscapeDataString(Name)}", null)).EnsureSuccessStatusCode();
        (await _http.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(_user)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        _http.Dispose();
    }

#pragma warning disable IDE1006, CA1707 // names as the management API spells them
    private sealed record QueueInfo(long messages_ready);
#pragma warning restore IDE1006, CA1707
}
