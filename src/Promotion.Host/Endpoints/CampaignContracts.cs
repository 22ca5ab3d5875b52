using Promotion.Domain.Campaigns;
using Promotion.Domain.Delivery;
using Promotion.Engine.Campaigns;

namespace Promotion.Host.Endpoints;

/// <summary>Body of <c>POST /api/campaigns</c>.</summary>
public sealed record CreateCampaignRequest(
    string? Name,
    AudienceRequest? Audience,
    MessageRequest? Message,
    string?[]? Channels,
    string? Priority,
    int? ShardSize,
    int? MaxSendsPerSecond,
    Guid? After = null)
{
    /// <summary>The draft the engine validates.</summary>
    public CampaignDraft ToDraft() => new(Name, Audience?.Segment, Message?.Title, Message?.Body, Channels, Priority, ShardSize, MaxSendsPerSecond);
}

/// <summary>Who a campaign targets: a segment, or everyone when omitted.</summary>
public sealed record AudienceRequest(string? Segment);

/// <summary>What a campaign sends.</summary>
public sealed record MessageRequest(string? Title, string? Body);

/// <summary>A campaign as the API shows it.</summary>
public sealed record CampaignResponse(
    Guid Id,
    string Name,
    CampaignKind Kind,
    CampaignStatus Status,
    JobPriority Priority,
    AudienceRequest Audience,
    MessageRequest Message,
    IReadOnlyList<string> Channels,
    int ShardSize,
    int? MaxSendsPerSecond,
    Guid? ParentId,
    long AudienceSize,
    ShardCounts Shards,
    long Sent,
    long Failed,
    long Skipped,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    Guid? After)
{
    /// <summary>Maps the engine's campaign.</summary>
    public static CampaignResponse From(Campaign c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Name, c.Kind, c.Status, c.Priority, new AudienceRequest(c.Segment), new MessageRequest(c.Message.Title, c.Message.Body),
            [.. c.Channels.Select(ch => ch.ToWire())], c.ShardSize, c.MaxSendsPerSecond, c.ParentId, c.AudienceSize, c.Shards,
            c.Sent, c.Failed, c.Skipped, c.CreatedAt, c.StartedAt, c.CompletedAt, c.AfterId);
    }
}

/// <summary>A page of campaigns.</summary>
public sealed record CampaignListResponse(IReadOnlyList<CampaignResponse> Items, long Total, int Page, int PageSize);

/// <summary>What a POST that created something answers (201, its URL in Location): <c>{id}</c>.</summary>
public sealed record CreatedResponse(Guid Id);

/// <summary>A campaign's failures and skips counted by reason.</summary>
public sealed record FailureReasonsResponse(IReadOnlyList<ReasonCount> Items);
