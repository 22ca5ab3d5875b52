using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Promotion.Engine.Nodes;
using Promotion.Infrastructure.InMemory;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests;

public class HeartbeatServiceTests
{
    [Fact]
    public async Task A_running_host_is_alive_and_leaves_the_registry_when_it_stops()
    {
        var registry = new InMemoryNodeRegistry();
        var identity = new NodeIdentity("node-a", ["worker"]);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Promotion:Heartbeat:Interval"] = "00:00:00.050";
        builder.Services.AddPromotionEngine(builder.Configuration.GetSection("Promotion"), identity);
        builder.Services.AddSingleton<INodeRegistry>(registry);
        using var host = builder.Build();

        await host.StartAsync();
        await Eventually.TrueAsync(async () => (await registry.ListAliveAsync(TimeProvider.System.GetUtcNow(), default)).Any(n => n.NodeId == "node-a"),
            TimeSpan.FromSeconds(10), "the node's first heartbeat");
        var alive = await registry.ListAliveAsync(TimeProvider.System.GetUtcNow(), default);
        Assert.True(Assert.Single(alive).IsWorker);

        await host.StopAsync();
        Assert.Empty(await registry.ListAliveAsync(TimeProvider.System.GetUtcNow(), default));
    }

    [Fact]
    public void Heartbeat_options_refuse_a_timeout_shorter_than_the_interval()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Promotion:Heartbeat:Interval"] = "00:00:05";
        builder.Configuration["Promotion:Heartbeat:Timeout"] = "00:00:01";
        builder.Services.AddPromotionEngine(builder.Configuration.GetSection("Promotion"), new NodeIdentity("n", ["worker"]));
        builder.Services.AddSingleton<INodeRegistry>(new InMemoryNodeRegistry());
        using var host = builder.Build();
        var ex = Assert.ThrowsAny<Exception>(() => host.StartAsync().GetAwaiter().GetResult());
        Assert.Contains("Promotion:Heartbeat:Timeout", ex.Message, StringComparison.Ordinal);
    }
}
