using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Domain.Members;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;

namespace Promotion.Host.Demo;

/// <summary>
/// Embedded profile only: fills the in-process member directory with synthetic members, and once
/// every service (the bus included) has started, creates a demo campaign so the first run shows
/// the engine working.
/// </summary>
internal sealed partial class DemoDataService(
    IMemberDirectory members,
    CampaignCommands commands,
    IOptions<DemoOptions> options,
    ILogger<DemoDataService> logger) : IHostedLifecycleService
{
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: generated {Count} demo members in segments {Segments}")]
    private static partial void LogSeeded(ILogger logger, int count, string segments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: demo campaign {CampaignId} started for {Count} members at 400 sends/s; GET /api/campaigns/{CampaignId} to watch it")]
    private static partial void LogDemoCampaign(ILogger logger, Guid campaignId, int count);
}
