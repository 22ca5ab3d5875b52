using Microsoft.Extensions.Options;
using Promotion.Domain.Members;
using Promotion.Engine.Members;

namespace Promotion.Host.Demo;

/// <summary>Fills the embedded profile's in-process member directory with synthetic members on start.</summary>
internal sealed partial class DemoDataService(IMemberDirectory members, IOptions<DemoOptions> options, ILogger<DemoDataService> logger) : IHostedService
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded profile: generated {Count} demo members in segments {Segments}")]
    private static partial void LogSeeded(ILogger logger, int count, string segments);
}
