using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Coupons;
using Promotion.Domain.HotGoods;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Coupons;
using Promotion.Engine.HotGoods;
using Promotion.Engine.Members;

namespace Promotion.Host.Demo;

/// <summary>
/// Embedded profile only: fills the in-process member directory with synthetic members, and once
/// every service (the bus and the silo included) has started, starts the demo jobs so the first run
/// shows the engine working: a push campaign to everyone, a coupon campaign, and a hot-goods
/// schedule for the gamers firing at the start of every minute.
/// </summary>
internal sealed partial class DemoDataService(
    IMemberDirectory members,
    CampaignCommands commands,
    CouponCommands coupons,
    HotGoodsScheduleCommands schedules,
    TimeProvider time,
    IOptions<DemoOptions> options,
    ILogger<DemoDataService> logger) : IHostedLifecycleService
{
    private const string DemoSegment = "gamers";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var count = options.Value.Members;
        if (count == 0 || await members.CountAsync(null, cancellationToken) > 0)
        {
            return;
        }

        await members.ImportAsync(SyntheticMembers.Range(1, count, SyntheticMembers.DefaultSegments), null, cancellationToken);
        LogSeeded(logger, count, string.Join(", ", SyntheticMembers.DefaultSegments));
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Campaign || options.Value.Members == 0)
        {
            return;
        }

        var campaign = await commands.CreatePushAsync(
            new CampaignDraft("Demo: shopping festival opens at midnight", null, "The festival starts now", "Up to 50% off across the store, tonight only.",
                ["app", "inbox"], "normal", 500, 400),
            cancellationToken);
        LogDemoCampaign(logger, campaign.Id, options.Value.Members);

        // Coupons are issued on login: DemoLoginsService simulates them, as POST /api/events/login would.
        var now = time.GetUtcNow();
        var coupon = await coupons.CreateAsync(
            new CouponCampaignDraft("Demo: welcome back, 10 off", null, now, now.AddDays(30), 10_000, "10 off your next order", 10m, null, 50m),
            cancellationToken);
        LogDemoCoupons(logger, coupon.Id);

        // Seconds first (Quartz syntax): the start of every minute, so a firing shows within a minute.
        var schedule = await schedules.CreateAsync(new HotGoodsScheduleDraft(DemoSegment, "0 * * * * ?", 5, null, ["app"]), cancellationToken);
        LogDemoSchedule(logger, schedule.Schedule.Id, DemoSegment, schedule.NextFireTime);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: generated {Count} demo members in segments {Segments}")]
    private static partial void LogSeeded(ILogger logger, int count, string segments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: demo coupon campaign {CouponCampaignId} is live; logins posted to /api/events/login get its coupon")]
    private static partial void LogDemoCoupons(ILogger logger, Guid couponCampaignId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: demo hot-goods schedule {ScheduleId} pushes the top goods to segment {Segment} every minute; first firing at {NextFireTime:u}")]
    private static partial void LogDemoSchedule(ILogger logger, Guid scheduleId, string segment, DateTimeOffset? nextFireTime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: demo campaign {CampaignId} started for {Count} members at 400 sends/s; GET /api/campaigns/{CampaignId} to watch it")]
    private static partial void LogDemoCampaign(ILogger logger, Guid campaignId, int count);
}
