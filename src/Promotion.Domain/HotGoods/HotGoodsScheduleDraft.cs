using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;

namespace Promotion.Domain.HotGoods;

/// <summary>A hot-goods schedule as an operator asks for it, before it is accepted.</summary>
/// <param name="Segment">The segment pushed to; its categories decide the goods.</param>
/// <param name="Cron">Cron expression in Quartz syntax (seconds first, e.g. <c>0 0 10 ? * MON</c>; see <see cref="HotGoodsCron"/>).</param>
/// <param name="TopK">How many products each push names.</param>
/// <param name="TimeZone">Time zone the cron is read in (IANA id); UTC when omitted.</param>
/// <param name="Channels">Channels to push on; <see cref="DefaultChannels"/> when omitted.</param>
/// <param name="FollowUp">
/// A push campaign to start after each firing's hot-goods campaign completes (never after one that
/// failed or was cancelled); null for none.
/// </param>
public sealed record HotGoodsScheduleDraft(string? Segment, string? Cron, int? TopK, string? TimeZone, IReadOnlyList<string?>? Channels, CampaignDraft? FollowUp = null)
{
    /// <summary>Largest accepted topK: a push lists at most this many products.</summary>
    public const int MaxTopK = 50;

    /// <summary>Time zone when none is given.</summary>
    public const string DefaultTimeZone = "UTC";

    /// <summary>Channels when none are given: the app push.</summary>
    public static IReadOnlyList<string> DefaultChannels { get; } = ["app"];

    /// <summary>
    /// The problems with this draft as (field, message) pairs, camelCase as in the API; empty when
    /// valid. Whether the segment exists and has categories is checked by the caller.
    /// </summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(Segment))
        {
            errors.Add(("segment", "segment is required"));
        }

        if (string.IsNullOrWhiteSpace(Cron))
        {
            errors.Add(("cron", "cron is required (Quartz syntax, seconds first, e.g. \"0 0 10 ? * MON\")"));
        }
        else if (!HotGoodsCron.TryParse(Cron, out _, out var problem))
        {
            errors.Add(("cron", $"'{Cron}' is not a valid cron expression (Quartz syntax, seconds first): {problem}"));
        }

        if (TopK is null)
        {
            errors.Add(("topK", $"topK is required (1 to {MaxTopK})"));
        }
        else if (TopK is < 1 or > MaxTopK)
        {
            errors.Add(("topK", $"topK must be between 1 and {MaxTopK}"));
        }

        if (TimeZone is not null && !TryFindTimeZone(TimeZone, out _))
        {
            errors.Add(("timeZone", $"'{TimeZone}' is not a known time zone; use an IANA id such as Europe/Berlin, or omit it for UTC"));
        }

        if (Channels is not null)
        {
            if (Channels.Count == 0)
            {
                errors.Add(("channels", "name at least one channel of " + string.Join(", ", ChannelNames.All) + ", or omit channels for app"));
            }

            for (var i = 0; i < Channels.Count; i++)
            {
                if (!ChannelNames.TryParse(Channels[i], out _))
                {
                    errors.Add(($"channels[{i}]", $"'{Channels[i]}' is not a channel; use one of {string.Join(", ", ChannelNames.All)}"));
                }
            }

            var valid = Channels.Where(c => ChannelNames.TryParse(c, out _)).Select(c => c!.Trim().ToLowerInvariant()).ToList();
            if (valid.Distinct().Count() != valid.Count)
            {
                errors.Add(("channels", "a channel is named twice"));
            }
        }

        if (FollowUp is not null)
        {
            errors.AddRange(FollowUp.Validate().Select(e => ("followUp." + e.Field, e.Message)));
        }

        return errors;
    }

    /// <summary>The time zone id (trimmed; UTC when omitted); call only on a valid draft.</summary>
    public string ParsedTimeZone() => TimeZone?.Trim() ?? DefaultTimeZone;

    /// <summary>The channels, parsed (app when omitted); call only on a valid draft.</summary>
    public IReadOnlyList<Channel> ParsedChannels() =>
        [.. (Channels ?? DefaultChannels).Select(c => ChannelNames.TryParse(c, out var ch) ? ch.Value : throw new InvalidOperationException("draft not validated"))];

    /// <summary>Finds a time zone by IANA (or Windows) id; false when the system does not know it.</summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
