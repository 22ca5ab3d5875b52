using System.Collections.Concurrent;

namespace Promotion.Engine.Diagnostics;

/// <summary>
/// Sender calls per campaign on this silo since it started. The silo's load report carries a
/// snapshot; API hosts turn two consecutive reports of a silo into its send rate per campaign.
/// A campaign whose count has not moved for <see cref="ForgetAfter"/> is dropped, so the
/// report stays as small as the set of campaigns this silo is working on.
/// </summary>
public sealed class CampaignSendTally
{
    /// <summary>How long a campaign's count may stand still before it leaves the snapshot.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    /// <summary>Counts one call for <paramref name="campaignId"/>.</summary>
    public void Increment(Guid campaignId) => Interlocked.Increment(ref _entries.GetOrAdd(campaignId, static _ => new Entry()).Count);

    /// <summary>
    /// The counts at <paramref name="now"/>. Called by one caller at a time (the silo's load grain): it
    /// also notes when each count last moved and forgets the ones idle for too long. A call
    /// racing with the removal of its idle entry may be lost; readers count a vanished campaign
    /// as zero, so a resumed one starts afresh from zero.
    /// </summary>
    public IReadOnlyDictionary<Guid, long> Snapshot(DateTimeOffset now)
    {
        var counts = new Dictionary<Guid, long>(_entries.Count);
        foreach (var (id, entry) in _entries)
        {
            var count = Volatile.Read(ref entry.Count);
            if (count != entry.LastSeen)
            {
                entry.LastSeen = count;
                entry.MovedAt = now;
            }
            else if (now - entry.MovedAt > ForgetAfter)
            {
                _entries.TryRemove(KeyValuePair.Create(id, entry));
                continue;
            }

            counts[id] = count;
        }

        return counts;
    }

    private sealed class Entry
    {
        public long Count;
        public long LastSeen;
        public DateTimeOffset MovedAt;
    }
}
