using Promotion.Domain.Coupons;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.InMemory;

/// <summary>
/// The coupon ledger in process memory, for the embedded profile and fast tests. Same semantics
/// as the Redis one (held to the same contract tests): each login decided atomically against
/// every campaign, issues recorded as pending until written, stock counted down, refusal to
/// decide until restored. <see cref="Clear"/> loses everything, as a Redis FLUSHALL does.
/// </summary>
public sealed class InMemoryCouponLedger(TimeProvider time) : ICouponLedger
{
    private readonly Dictionary<Guid, CouponCampaignRule> _rules = [];
    private readonly Dictionary<Guid, Dictionary<long, bool>> _issued = [];
    private readonly Dictionary<Guid, long> _stock = [];
    private readonly Lock _gate = new();
    // A new ledger counts as restored: nothing was ever lost from it.
    private bool _restored = true;
    private (string Owner, DateTimeOffset Until)? _restoreLock;

    /// <summary>Forgets everything, as Redis does on FLUSHALL or a restart without persistence.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _issued.Clear();
            _stock.Clear();
            _restored = false;
            _restoreLock = null;
        }
    }

    /// <summary>The members recorded for a campaign, each with true when written (for tests and diagnostics).</summary>
    public IReadOnlyDictionary<long, bool> IssuedOf(Guid couponCampaignId)
    {
        lock (_gate)
        {
            return _issued.TryGetValue(couponCampaignId, out var issued) ? new Dictionary<long, bool>(issued) : [];
        }
    }

    /// <summary>The stock left of a campaign, or null when it has no counter.</summary>
    public long? StockOf(Guid couponCampaignId)
    {
        lock (_gate)
        {
            return _stock.TryGetValue(couponCampaignId, out var left) ? left : null;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LoginDecision?>> DecideAsync(IReadOnlyList<LoginCheck> logins, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logins);
        var decisions = new LoginDecision?[logins.Count];
        // The whole batch under one lock: one atomic step, as the Redis script decides it.
        lock (_gate)
        {
            for (var i = 0; i < logins.Count; i++)
            {
                decisions[i] = _restored ? DecideOne(logins[i], now) : null;
            }
        }

        return Task.FromResult<IReadOnlyList<LoginDecision?>>(decisions);
    }

    /// <inheritdoc />
    public Task MarkWrittenAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        lock (_gate)
        {
            foreach (var key in coupons)
            {
                Issued(key.CouponCampaignId)[key.MemberId] = true;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RevokeAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        lock (_gate)
        {
            foreach (var key in coupons)
            {
                var issued = Issued(key.CouponCampaignId);
                if (issued.TryGetValue(key.MemberId, out var written) && !written)
                {
                    issued.Remove(key.MemberId);
                }

                _stock[key.CouponCampaignId] = 0;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PutCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules[rule.Id] = rule;
            if (rule.LimitedStock)
            {
                _stock.TryAdd(rule.Id, stockLeft ?? 0);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveCampaignAsync(Guid couponCampaignId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _rules.Remove(couponCampaignId);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> ListCampaignIdsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Guid>>([.. _rules.Keys]);
        }
    }

    /// <inheritdoc />
    public Task<RestoreStart> TryBeginRestoreAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_restored)
            {
                return Task.FromResult(RestoreStart.AlreadyRestored);
            }

            if (_restoreLock is { } held && held.Until > now)
            {
                return Task.FromResult(RestoreStart.Busy);
            }

            _restoreLock = (owner, now + lease);
            return Task.FromResult(RestoreStart.Began);
        }
    }

    /// <inheritdoc />
    public Task RestoreMembersAsync(Guid couponCampaignId, IReadOnlyCollection<long> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        lock (_gate)
        {
            var issued = Issued(couponCampaignId);
            foreach (var member in members)
            {
                issued[member] = true;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RestoreCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules[rule.Id] = rule;
            if (rule.LimitedStock)
            {
                _stock[rule.Id] = stockLeft ?? 0;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task EndRestoreAsync(string owner, bool completed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_restoreLock is { } held && held.Owner == owner && held.Until > time.GetUtcNow())
            {
                _restored |= completed;
                _restoreLock = null;
            }
        }

        return Task.CompletedTask;
    }

    // The same rule and order of checks as Redis/Scripts/coupon-decide.lua.
    private LoginDecision DecideOne(LoginCheck login, DateTimeOffset now)
    {
        var campaigns = new List<CampaignDecision>(_rules.Count);
        foreach (var rule in _rules.Values)
        {
            var issued = Issued(rule.Id);
            CouponDecisionOutcome outcome;
            if (issued.TryGetValue(login.MemberId, out var written))
            {
                outcome = written ? CouponDecisionOutcome.AlreadyIssued : CouponDecisionOutcome.IssuedPending;
            }
            else
            {
                outcome = CouponEligibility.Check(rule.ValidFrom, rule.ValidTo, rule.Segment, [.. login.Segments], login.At, now) switch
                {
                    CouponEligibilityOutcome.OutsideWindow => CouponDecisionOutcome.OutsideWindow,
                    CouponEligibilityOutcome.NotInSegment => CouponDecisionOutcome.NotInSegment,
                    _ => TakeStock(rule) ? CouponDecisionOutcome.Issued : CouponDecisionOutcome.SoldOut,
                };
                if (outcome == CouponDecisionOutcome.Issued)
                {
                    issued[login.MemberId] = false;
                }
            }

            campaigns.Add(new CampaignDecision(rule.Id, outcome));
        }

        return new LoginDecision(login.MemberId, campaigns);
    }

    private bool TakeStock(CouponCampaignRule rule)
    {
        if (!rule.LimitedStock)
        {
            return true;
        }

        if (_stock.GetValueOrDefault(rule.Id) <= 0)
        {
            return false;
        }

        _stock[rule.Id]--;
        return true;
    }

    private Dictionary<long, bool> Issued(Guid couponCampaignId)
    {
        if (!_issued.TryGetValue(couponCampaignId, out var issued))
        {
            _issued[couponCampaignId] = issued = [];
        }

        return issued;
    }
}
