using Promotion.Domain.Delivery;
using Promotion.Domain.Drafts;

namespace Promotion.Domain.Campaigns;

/// <summary>A push campaign as an operator asks for it, before it is accepted.</summary>
/// <param name="Name">Shown on the dashboard.</param>
/// <param name="Segment">Null for everyone, else the segment the audience is limited to.</param>
/// <param name="Title">Message title.</param>
/// <param name="Body">Message body.</param>
/// <param name="Channels">Channels to send on; at least one, no repeats.</param>
/// <param name="Priority">Queue priority.</param>
/// <param name="ShardSize">Members per shard.</param>
/// <param name="MaxSendsPerSecond">Cluster-wide send limit, or null for none.</param>
public sealed record CampaignDraft(
    string? Name,
    string? Segment,
    string? Title,
    string? Body,
    IReadOnlyList<string?>? Channels,
    string? Priority,
    int? ShardSize,
    int? MaxSendsPerSecond)
{
    /// <summary>Longest accepted name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest accepted title.</summary>
    public const int MaxTitleLength = 200;

    /// <summary>Longest accepted body.</summary>
    public const int MaxBodyLength = 4_000;

    /// <summary>Highest accepted send limit.</summary>
    public const int MaxSendsPerSecondLimit = 1_000_000;

    /// <summary>
    /// The problems with this draft as (field path, message) pairs, camelCase as in the API; empty when valid.
    /// Whether the segment exists is checked by the caller against the directory.
    /// </summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        DraftChecks.RequiredText(errors, "name", Name, MaxNameLength);
        DraftChecks.OptionalSegment(errors, Segment);

        DraftChecks.RequiredText(errors, "message.title", Title, MaxTitleLength);
        DraftChecks.RequiredText(errors, "message.body", Body, MaxBodyLength);

        if (Channels is null || Channels.Count == 0)
        {
            errors.Add(("channels", "name at least one channel of " + string.Join(", ", ChannelNames.All)));
        }
        else
        {
            for (var i = 0; i < Channels.Count; i++)
            {
                if (!ChannelNames.TryParse(Channels[i], out _))
                {
                    errors.Add(($"channels[{i}]", $"'{Channels[i]}' is not a channel; use one of {string.Join(", ", ChannelNames.All)}"));
                }
            }

            if (Channels.Where(c => ChannelNames.TryParse(c, out _)).Select(c => c!.Trim().ToLowerInvariant()).Distinct().Count()
                != Channels.Count(c => ChannelNames.TryParse(c, out _)))
            {
                errors.Add(("channels", "a channel is named twice"));
            }
        }

        if (Priority is not null && !Enum.TryParse<JobPriority>(Priority, ignoreCase: true, out _))
        {
            errors.Add(("priority", $"'{Priority}' is not a priority; use high, normal or low"));
        }

        if (ShardSize is { } size && size is < ShardPlanner.MinShardSize or > ShardPlanner.MaxShardSize)
        {
            errors.Add(("shardSize", $"shardSize must be between {ShardPlanner.MinShardSize} and {ShardPlanner.MaxShardSize:N0}"));
        }

        if (MaxSendsPerSecond is { } rate && rate is < 1 or > MaxSendsPerSecondLimit)
        {
            errors.Add(("maxSendsPerSecond", $"maxSendsPerSecond must be between 1 and {MaxSendsPerSecondLimit:N0}, or omitted for no limit"));
        }

        return errors;
    }

    /// <summary>The channels, parsed; call only on a valid draft.</summary>
    public IReadOnlyList<Channel> ParsedChannels() =>
        [.. Channels!.Select(c => ChannelNames.TryParse(c, out var ch) ? ch.Value : throw new InvalidOperationException("draft not validated"))];

    /// <summary>The priority, parsed (normal when omitted); call only on a valid draft.</summary>
    public JobPriority ParsedPriority() => Priority is null ? JobPriority.Normal : Enum.Parse<JobPriority>(Priority, ignoreCase: true);
}
