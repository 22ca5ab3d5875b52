using Promotion.Engine.Coupons;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Contracts;

public sealed class InMemoryCouponLedgerTests : CouponLedgerContract
{
    private readonly InMemoryCouponLedger _ledger = new(TimeProvider.System);

    protected override ICouponLedger Ledger => _ledger;

    protected override Task FlushAsync()
    {
        _ledger.Clear();
        return Task.CompletedTask;
    }

    protected override Task<IReadOnlyDictionary<long, bool>> IssuedAsync(Guid campaignId) => Task.FromResult(_ledger.IssuedOf(campaignId));

    protected override Task<long?> StockAsync(Guid campaignId) => Task.FromResult(_ledger.StockOf(campaignId));
}
