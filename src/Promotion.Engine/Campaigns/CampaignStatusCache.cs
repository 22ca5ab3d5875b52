using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Campaigns as a worker silo's shards see them: the definition (which never changes once created)
/// read once per silo, and the status read at most every <see cref="ShardOptions.StatusRefresh"/>
/// (campaigns wake their shards on every change, so this is only the backstop). Campaigns not asked
/// about for ten minutes are forgotten, so the cache is as large as the work going on.
/// </summary>
public sealed class CampaignStatusCache(ICampaignStore store, IOptions<ShardOptions> options, TimeProvider time)
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, (CampaignStatus? Status, DateTimeOffset At)> _seen = new();
    private readonly ConcurrentDictionary<Guid, (Campaign Campaign, DateTimeOffset UsedAt)> _definitions = new();
    private DateTimeOffset _prunedAt = DateTimeOffset.MinValue;

    /// <summary>The campaign's definition (its status and counts as of the first read); null when unknown.</summary>
    public async ValueTask<Campaign?> GetDefinitionAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Prune(now);
        if (_definitions.TryGetValue(campaignId, out var known))
        {
            _definitions[campaignId] = (known.Campaign, now);
            return known.Campaign;
        }

        var campaign = await store.GetAsync(campaignId, cancellationToken);
        if (campaign is not null)
        {
            _definitions[campaignId] = (campaign, now);
        }

        return campaign;
    }

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
        return status;
    }

    private void Prune(DateTimeOffset now)
    {
        if (now - _prunedAt < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _prunedAt = now;
        foreach (var (id, entry) in _definitions.Where(d => now - d.Value.UsedAt > ForgetAfter))
        {
            _definitions.TryRemove(KeyValuePair.Create(id, entry));
            _seen.TryRemove(id, out _);
        }
    }
}
