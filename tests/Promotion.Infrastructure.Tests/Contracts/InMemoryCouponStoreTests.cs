using Promotion.Engine.Coupons;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Contracts;

public sealed class InMemoryCouponStoreTests : CouponStoreContract
{
    protected override ICouponStore Store { get; } = new InMemoryCouponStore();
}
