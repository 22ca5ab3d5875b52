using Microsoft.Extensions.Logging;

namespace Promotion.Engine.Diagnostics;

/// <summary>
/// Log scopes carrying campaign and shard ids. Defined once with <see cref="LoggerMessage.DefineScope{T1}"/>
/// so the console shows readable text ("campaign … shard …") while structured sinks (JSON console,
/// OTLP) get <c>CampaignId</c> and <c>ShardNo</c> as named properties.
/// </summary>
public static class LogScopes
{
    private static readonly Func<ILogger, Guid, IDisposable?> CampaignScope = LoggerMessage.DefineScope<Guid>("campaign {CampaignId}");
    private static readonly Func<ILogger, Guid, int, IDisposable?> ShardScope = LoggerMessage.DefineScope<Guid, int>("campaign {CampaignId} shard {ShardNo}");

    /// <summary>Everything logged inside is about campaign <paramref name="campaignId"/>.</summary>
    public static IDisposable? Campaign(ILogger logger, Guid campaignId) => CampaignScope(logger, campaignId);

    /// <summary>Everything logged inside is about one shard of a campaign.</summary>
    public static IDisposable? Shard(ILogger logger, Guid campaignId, int shardNo) => ShardScope(logger, campaignId, shardNo);
}
