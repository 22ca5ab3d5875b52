using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Campaigns as workers see them: the definition (which never changes once created) read once
/// per host, and the status read at most every <see cref="ShardOptions.StatusRefresh"/>, so
/// pause and cancel reach every shard quickly without a query per page per shard.
/// </summary>
public sealed class CampaignStatusCache(ICampaignStore store, IOptions<ShardOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, (CampaignStatus? Status, DateTimeOffset At)> _seen = new();
    private readonly ConcurrentDictionary<Guid, Campaign> _definitions = new();

    /// <summary>The campaign's definition (its status and counts as of the first read); null when unknown.</summary>
    public async ValueTask<Campaign?> GetDefinitionAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        if (_definitions.TryGetValue(campaignId, out var known))
        {
            return known;
        }

        var campaign = await store.GetAsync(campaignId, cancellationToken);
        if (campaign is not null)
        {
            _definitions.TryAdd(campaignId, campaign);
        }

        return campaign;
    }

    /// <summary>Drops what is cached of a campaign that ended.</summary>
    public void Forget(Guid campaignId) => _definitions.TryRemove(campaignId, out _);

    /// <summary>The campaign's status, at most <see cref="ShardOptions.StatusRefresh"/> old (read now when <paramref name="fresh"/>); null when unknown.</summary>
    public async ValueTask<CampaignStatus?> GetAsync(Guid campaignId, CancellationToken cancellationToken, bool fresh = false)
    {
        var now = time.GetUtcNow();
        if (!fresh && _seen.TryGetValue(campaignId, out var seen) && now - seen.At < options.Value.StatusRefresh)
        {
            return seen.Status;
        }

        var status = await store.GetStatusAsync(campaignId, cancellationToken);
        _seen[campaignId] = (status, now);
        if (status is { } s && CampaignStateMachine.IsTerminal(s))
        {
            // Terminal statuses never change: never read them again.
            _seen[campaignId] = (status, DateTimeOffset.MaxValue - options.Value.StatusRefresh);
        }

        return status;
    }
}
