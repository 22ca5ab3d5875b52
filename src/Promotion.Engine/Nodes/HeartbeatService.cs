using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Nodes;

/// <summary>Beats every <see cref="HeartbeatOptions.Interval"/> and leaves the registry on a graceful stop.</summary>
internal sealed partial class HeartbeatService(
    INodeRegistry registry,
    NodeIdentity identity,
    IEnumerable<INodeLoad> loads,
    PromotionInstruments instruments,
    IOptions<HeartbeatOptions> options,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.Interval, time);
        do
        {
            try
            {
                var inFlight = loads.Sum(l => l.InFlightSends);
                var held = loads.Sum(l => l.ShardsHeld);
                var now = time.GetUtcNow();
                var attempts = instruments.CampaignAttempts.Snapshot(now);
                await registry.BeatAsync(
                    new NodeHeartbeat(identity.NodeId, identity.Roles, now, inFlight, held, attempts.Count == 0 ? null : attempts), o.Timeout, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed beat is not fatal: the next tick tries again; peers only drop us after the timeout.
                LogBeatFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await registry.LeaveAsync(identity.NodeId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLeaveFailed(logger, ex);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed; retrying on the next tick")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not leave the node registry on stop; peers will drop this node after its timeout")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception);
}
