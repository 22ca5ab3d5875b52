using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Promotion.TestSupport;

namespace Promotion.Acceptance.Tests;

/// <summary>Host processes on the real servers form one Orleans cluster through the membership table in PostgreSQL.</summary>
public sealed class ClusterMembershipTests : IAsyncLifetime
{
    private const int Active = 3; // Orleans' SiloStatus values as the membership table stores them
    private const int Dead = 6;

    private readonly Cluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Three_hosts_that_differ_only_in_Urls_form_one_cluster_and_a_killed_one_is_declared_dead()
    {
        // Started together against an empty database: each migrates (one waits for the other) and joins.
        var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _cluster.StartHostAsync("api,worker,scheduler")));
        using var api = _cluster.ApiClient(hosts[0]);

        // The membership table first (the cluster itself), then the Orleans Dashboard's view of it.
        var names = await Task.WhenAll(hosts.Select(h => h.SiloNameAsync()));
        await Eventually.TrueAsync(async () => (await Task.WhenAll(names.Select(_cluster.SiloStatusAsync))).All(s => s == Active),
            TimeSpan.FromSeconds(60), "three silos active in the membership table");
        JsonElement counters = default;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                counters = await api.GetFromJsonAsync<JsonElement>("/dashboard/DashboardCounters", Cluster.Json);
                return ActiveSilos(counters) == 3;
            }, TimeSpan.FromSeconds(60), "three active silos on the Orleans Dashboard");
        }
        catch (TimeoutException ex)
        {
            var seen = counters.ValueKind == JsonValueKind.Object ? counters.GetProperty("hosts").ToString() : "nothing";
            throw new TimeoutException($"{ex.Message}; the dashboard listed {seen}; host processes alive: {string.Join(", ", hosts.Select(h => !h.HasExited))}", ex);
        }
        using (var anonymous = new HttpClient { BaseAddress = new Uri(hosts[0].Url) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/DashboardCounters")).StatusCode);
        }

        var nodes = (await api.GetFromJsonAsync<JsonElement>("/api/stats", Cluster.Json)).GetProperty("nodes");
        Assert.False(nodes.TryGetProperty("error", out var error), $"the nodes section failed: {error}");
        Assert.Equal(3, nodes.GetProperty("alive").GetInt32());
        Assert.All(nodes.GetProperty("items").EnumerateArray(), n => Assert.Equal(["api", "worker", "scheduler"], n.GetProperty("roles").EnumerateArray().Select(r => r.GetString())));

        var victim = hosts[2];
        var victimName = await victim.SiloNameAsync();
        victim.Kill();
        await Eventually.TrueAsync(async () => await _cluster.SiloStatusAsync(victimName) == Dead, TimeSpan.FromSeconds(60), "the killed silo to be declared dead in the membership table");

        // The survivors see two active silos, and report it on /health.
        await Eventually.TrueAsync(async () => await ActiveSilosOnHealthAsync(hosts[0]) == 2, TimeSpan.FromSeconds(30), "the survivors' /health to count two active silos");

        // A graceful stop leaves at once: the silo is marked dead before the process exits.
        var leaving = hosts[1];
        var leavingName = await leaving.SiloNameAsync();
        leaving.Terminate();
        await leaving.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Dead, await _cluster.SiloStatusAsync(leavingName));
        await Eventually.TrueAsync(async () => await ActiveSilosOnHealthAsync(hosts[0]) == 1, TimeSpan.FromSeconds(10), "the survivor to learn of the graceful stop");
    }

    private static int ActiveSilos(JsonElement counters) =>
        counters.GetProperty("hosts").EnumerateArray().Count(h => h.GetProperty("status").GetString() == "Active");

    private static async Task<int> ActiveSilosOnHealthAsync(HostProcess host)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        // Read whatever the status code: a host not ready answers 503 with the same JSON.
        var health = await (await http.GetAsync("/health")).Content.ReadFromJsonAsync<JsonElement>(Cluster.Json);
        return health.GetProperty("checks").GetProperty("cluster").GetProperty("data").GetProperty("activeSilos").GetInt32();
    }
}
