using Promotion.Engine.HotGoods;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Contracts;

public sealed class InMemoryGoodsCatalogTests : GoodsCatalogContract
{
    protected override IGoodsCatalog Catalog { get; } = new InMemoryGoodsCatalog();

    protected override Task RegisterSegmentAsync(string segment) => Task.CompletedTask;
}

public sealed class InMemoryHotGoodsSchedulesTests : HotGoodsSchedulesContract
{
    protected override IHotGoodsSchedules Store { get; } = new InMemoryHotGoodsSchedules();
}

public sealed class InMemoryFrequencyCapTests : FrequencyCapContract
{
    private readonly InMemoryFrequencyCap _cap = new();

    protected override IFrequencyCap Cap => _cap;

    [Fact]
    public async Task The_cap_is_free_again_after_the_period()
    {
        var t0 = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        Assert.True(await _cap.TryTakeAsync(5, Guid.NewGuid(), Week, t0, default));
        Assert.False(await _cap.TryTakeAsync(5, Guid.NewGuid(), Week, t0 + Week - TimeSpan.FromSeconds(1), default));
        var next = Guid.NewGuid();
        Assert.True(await _cap.TryTakeAsync(5, next, Week, t0 + Week, default));
        Assert.False(await _cap.TryTakeAsync(5, Guid.NewGuid(), Week, t0 + Week + TimeSpan.FromDays(1), default));
    }
}
