using Microsoft.Extensions.Options;
using Promotion.Engine.HotGoods;

namespace Promotion.Engine.Tests.HotGoods;

public class HotGoodsOptionsTests
{
    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("2.00:00:00")]
    public async Task A_misfire_threshold_outside_a_second_to_a_day_is_refused_naming_its_key(string threshold)
    {
        await using var f = new HotGoodsFixture(settings: new() { ["HotGoods:MisfireThreshold"] = threshold });
        var ex = Assert.Throws<OptionsValidationException>(() => f.Get<IOptions<HotGoodsOptions>>().Value);
        Assert.Contains(ex.Failures, m => m.StartsWith("Promotion:HotGoods:MisfireThreshold", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_misfire_threshold_defaults_to_five_seconds()
    {
        await using var f = new HotGoodsFixture();
        Assert.Equal(TimeSpan.FromSeconds(5), f.Get<IOptions<HotGoodsOptions>>().Value.MisfireThreshold);
    }
}
