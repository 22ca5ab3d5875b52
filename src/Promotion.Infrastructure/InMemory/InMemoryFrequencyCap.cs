using System.Collections.Concurrent;
using Promotion.Engine.HotGoods;

namespace Promotion.Infrastructure.InMemory;

/// <summary>The hot-goods frequency cap in process memory (embedded profile): same take-or-already-mine rule as Redis.</summary>
public sealed class InMemoryFrequencyCap : IFrequencyCap
{
    private readonly ConcurrentDictionary<long, (Guid Holder, DateTimeOffset Until)> _caps = new();

    /// <inheritdoc />
    public ValueTask<bool> TryTakeAsync(long memberId, Guid campaignId, TimeSpan period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        while (true)
        {
            if (_caps.TryGetValue(memberId, out var held))
            {
                if (held.Until > now)
                {
                    return ValueTask.FromResult(held.Holder == campaignId);
                }

                // Expired: replace it, unless another caller replaced it first (then look again).
                if (_caps.TryUpdate(memberId, (campaignId, now + period), held))
                {
                    return ValueTask.FromResult(true);
                }
            }
            else if (_caps.TryAdd(memberId, (campaignId, now + period)))
            {
                return ValueTask.FromResult(true);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(long memberId, Guid campaignId, CancellationToken cancellationToken)
    {
        // Removes the entry only if it is still this campaign's (compare-and-remove).
        if (_caps.TryGetValue(memberId, out var held) && held.Holder == campaignId)
        {
            _caps.TryRemove(KeyValuePair.Create(memberId, held));
        }

        return ValueTask.CompletedTask;
    }
}
