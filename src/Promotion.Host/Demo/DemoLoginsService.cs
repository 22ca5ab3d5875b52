using Microsoft.Extensions.Options;
using Promotion.Engine.Coupons;

namespace Promotion.Host.Demo;

/// <summary>
/// Embedded profile only: members logging in, a batch every second through the same command as
/// <c>POST /api/events/login</c>, so the demo coupon campaign issues coupons on the dashboard. Some
/// members log in again, which the coupon rules answer with nothing new.
/// </summary>
internal sealed partial class DemoLoginsService(
    CouponCommands coupons,
    TimeProvider time,
    IOptions<DemoOptions> options,
    ILogger<DemoLoginsService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value;
        if (!demo.Campaign || demo.Members == 0 || demo.LoginsPerSecond == 0)
        {
            return;
        }

        var random = new Random(20261202);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var logged = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = time.GetUtcNow();
                var batch = Enumerable.Range(0, demo.LoginsPerSecond).Select(_ => new LoginEvent(random.NextInt64(1, demo.Members + 1), now)).ToList();
                try
                {
                    await coupons.AcceptLoginsAsync(batch, stoppingToken);
                    if (!logged)
                    {
                        LogStarted(logger, demo.LoginsPerSecond);
                        logged = true;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The demo goes on: the next second brings the next batch.
                    LogBatchFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: {PerSecond} simulated member logins a second feed the demo coupon campaign")]
    private static partial void LogStarted(ILogger logger, int perSecond);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded profile: a batch of simulated logins was not accepted")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);
}
