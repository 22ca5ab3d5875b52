using System.Runtime.CompilerServices;
using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.InMemory;

/// <summary>
/// Coupon campaigns and coupons in process memory, for the embedded profile and fast tests. Same
/// semantics as the PostgreSQL store: one coupon per (campaign, member), never more than stock
/// (refused in input order), status changes through <see cref="CouponLifecycle"/>, times kept in
/// UTC to the microsecond. One lock makes every method atomic.
/// </summary>
public sealed class InMemoryCouponStore : ICouponStore
{
    private const int MaxMemberCoupons = 1_000;
    private readonly Dictionary<Guid, CouponCampaign> _campaigns = [];
    private readonly Dictionary<Guid, Coupon> _coupons = [];
    private readonly Dictionary<CouponKey, Guid> _byKey = [];
    private readonly Dictionary<long, List<Guid>> _byMember = [];
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<CouponCampaign> CreateCampaignAsync(NewCouponCampaign campaign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        now = Stored(now);
        var created = new CouponCampaign(Guid.CreateVersion7(now), campaign.Name, campaign.Segment, Stored(campaign.ValidFrom), Stored(campaign.ValidTo),
            campaign.Stock, campaign.Coupon, 0, now, null);
        lock (_gate)
        {
            _campaigns.Add(created.Id, created);
        }

        return Task.FromResult(created);
    }

    /// <inheritdoc />
    public Task<CouponCampaign?> GetCampaignAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_campaigns.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<CouponCampaignPage> ListCampaignsAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        lock (_gate)
        {
            var items = _campaigns.Values.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
                .Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize)).Take(pageSize).ToList();
            return Task.FromResult(new CouponCampaignPage(items, _campaigns.Count, page, pageSize));
        }
    }

    /// <inheritdoc />
    public Task<CouponCampaign> StopCampaignAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_campaigns.TryGetValue(id, out var campaign))
            {
                throw new KeyNotFoundException($"no coupon campaign {id}");
            }

            campaign = campaign with { StoppedAt = campaign.StoppedAt ?? Stored(now) };
            _campaigns[id] = campaign;
            return Task.FromResult(campaign);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CouponCampaign>> ListLiveCampaignsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CouponCampaign>>([.. _campaigns.Values.Where(c => c.StoppedAt is null && c.ValidTo > now).OrderBy(c => c.Id)]);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ReadIssuedMembersAsync(Guid couponCampaignId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<long> members;
        lock (_gate)
        {
            members = [.. _byKey.Keys.Where(k => k.CouponCampaignId == couponCampaignId).Select(k => k.MemberId)];
        }

        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return member;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<CouponWriteResult> WriteIssuedAsync(IReadOnlyList<IssuedCoupon> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        var inserted = new List<CouponKey>();
        var existing = new List<CouponKey>();
        var refused = new List<CouponKey>();
        lock (_gate)
        {
            foreach (var coupon in coupons.DistinctBy(c => c.Key))
            {
                if (_byKey.ContainsKey(coupon.Key))
                {
                    // Also a repeat within this batch after its first copy was inserted.
                    (inserted.Contains(coupon.Key) ? inserted : existing).Add(coupon.Key);
                    continue;
                }

                if (!_campaigns.TryGetValue(coupon.CouponCampaignId, out var campaign) || campaign.Stock is { } stock && campaign.Issued >= stock)
                {
                    refused.Add(coupon.Key);
                    continue;
                }

                _campaigns[campaign.Id] = campaign with { Issued = campaign.Issued + 1 };
                _coupons.Add(coupon.Id, new Coupon(coupon.Id, coupon.CouponCampaignId, coupon.MemberId, CouponStatus.Issued, Stored(coupon.IssuedAt),
                    null, null, null, campaign.Coupon.Title, campaign.ValidTo));
                _byKey.Add(coupon.Key, coupon.Id);
                if (!_byMember.TryGetValue(coupon.MemberId, out var held))
                {
                    _byMember[coupon.MemberId] = held = [];
                }

                held.Add(coupon.Id);
                inserted.Add(coupon.Key);
            }
        }

        return Task.FromResult(new CouponWriteResult(inserted, existing, refused));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Coupon>> ListMemberCouponsAsync(long memberId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Coupon>>(_byMember.TryGetValue(memberId, out var held)
                ? [.. held.Select(id => _coupons[id]).OrderByDescending(c => c.IssuedAt).ThenBy(c => c.Id).Take(MaxMemberCoupons)]
                : []);
        }
    }

    /// <inheritdoc />
    public Task<Coupon?> GetCouponAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_coupons.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<Coupon> TransitionCouponAsync(Guid id, CouponTrigger trigger, string? orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_coupons.TryGetValue(id, out var coupon))
            {
                throw new KeyNotFoundException($"no coupon {id}");
            }

            var (to, changed) = CouponLifecycle.Apply(coupon.StoredStatus, coupon.OrderId, trigger, orderId, coupon.ValidTo, now);
            if (!changed)
            {
                return Task.FromResult(coupon);
            }

            now = Stored(now);
            coupon = coupon with
            {
                StoredStatus = to,
                ClaimedAt = to == CouponStatus.Claimed ? now : coupon.ClaimedAt,
                RedeemedAt = to == CouponStatus.Redeemed ? now : coupon.RedeemedAt,
                OrderId = to == CouponStatus.Redeemed ? orderId : coupon.OrderId,
            };
            _coupons[id] = coupon;
            return Task.FromResult(coupon);
        }
    }

    // PostgreSQL keeps microseconds; so does this store, so both return the same times.
    private static DateTimeOffset Stored(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);
}
