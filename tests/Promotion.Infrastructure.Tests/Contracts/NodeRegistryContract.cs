using Promotion.Engine.Nodes;

namespace Promotion.Infrastructure.Tests.Contracts;

/// <summary>What every node registry must do; run against Redis and the in-memory one.</summary>
public abstract class NodeRegistryContract
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    protected abstract INodeRegistry Registry { get; }

    [Fact]
    public async Task A_node_is_alive_until_its_heartbeat_times_out()
    {
        await Registry.BeatAsync(new NodeHeartbeat("a", ["api", "worker"], Now, 12, 3), Timeout, default);
        await Registry.BeatAsync(new NodeHeartbeat("b", ["worker"], Now - TimeSpan.FromSeconds(8), 0, 0), Timeout, default);

        var alive = await Registry.ListAliveAsync(Now, default);
        Assert.Equal(["a", "b"], alive.Select(n => n.NodeId).Order());
        var a = alive.Single(n => n.NodeId == "a");
        Assert.Equal(12, a.InFlightSends);
        Assert.Equal(3, a.ShardsHeld);
        Assert.Equal(["api", "worker"], a.Roles);

        // Five seconds on, b's last beat is 13 s old: dead. a is still within its timeout.
        var later = await Registry.ListAliveAsync(Now + TimeSpan.FromSeconds(5), default);
        Assert.Equal(["a"], later.Select(n => n.NodeId));
    }

    [Fact]
    public async Task A_new_beat_keeps_a_node_alive_and_leaving_removes_it_at_once()
    {
        await Registry.BeatAsync(new NodeHeartbeat("c", ["worker"], Now, 0, 0), Timeout, default);
        await Registry.BeatAsync(new NodeHeartbeat("c", ["worker"], Now + TimeSpan.FromSeconds(9), 5, 1), Timeout, default);
        var alive = Assert.Single(await Registry.ListAliveAsync(Now + TimeSpan.FromSeconds(15), default));
        Assert.Equal(5, alive.InFlightSends);

        await Registry.LeaveAsync("c", default);
        Assert.Empty(await Registry.ListAliveAsync(Now + TimeSpan.FromSeconds(15), default));
    }
}
