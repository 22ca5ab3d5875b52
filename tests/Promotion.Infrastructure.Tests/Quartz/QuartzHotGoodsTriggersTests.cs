using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Promotion.Domain.Delivery;
using Promotion.Domain.HotGoods;
using Promotion.Engine.HotGoods;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Quartz;

/// <summary>The Quartz adapter on its RAM store and on the clustered AdoJobStore (a throw-away PostgreSQL database), scheduler not started.</summary>
public abstract class QuartzHotGoodsTriggersContract : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    protected IHotGoodsTriggers Triggers => _services.GetRequiredService<IHotGoodsTriggers>();

    protected abstract string? ConnectionString { get; }

    public virtual Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPromotionQuartz(new ConfigurationBuilder().Build(), ConnectionString, "test-node-" + Guid.NewGuid().ToString("N")[..6], startScheduler: false);
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await _services.DisposeAsync();

    private static HotGoodsSchedule Schedule(string cron, string zone) =>
        new(Guid.NewGuid(), "gamers", cron, zone, 5, [Channel.App], HotGoodsScheduleStatus.Active, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    [Fact]
    public void Cron_expressions_are_checked_in_quartz_syntax()
    {
        Assert.Null(Triggers.ExplainCron("0/10 * * * * ?"));
        Assert.Null(Triggers.ExplainCron("0 0 10 ? * MON-FRI"));
        Assert.NotNull(Triggers.ExplainCron("*/5 * * * *"));   // crontab's five fields: Quartz wants seconds first
        Assert.NotNull(Triggers.ExplainCron("0 0 25 * * ?"));    // no hour 25
        Assert.Equal("it never fires again", Triggers.ExplainCron("0 0 10 1 1 ? 2001"));
    }

    [Fact]
    public async Task A_schedule_fires_on_its_cron_in_its_time_zone_and_pauses_resumes_and_deletes()
    {
        var s = Schedule("0 30 9 * * ?", "Asia/Tokyo"); // 09:30 in Tokyo is 00:30 UTC
        await Triggers.ScheduleAsync(s, default);

        var next = await Triggers.NextFireTimeAsync(s.Id, default);
        Assert.NotNull(next);
        Assert.Equal(new TimeSpan(0, 30, 0), next.Value.UtcDateTime.TimeOfDay);
        Assert.InRange(next.Value - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromDays(1));

        await Triggers.PauseAsync(s.Id, default);
        Assert.Null(await Triggers.NextFireTimeAsync(s.Id, default));
        await Triggers.ResumeAsync(s.Id, default);
        Assert.NotNull(await Triggers.NextFireTimeAsync(s.Id, default));

        await Triggers.DeleteAsync(s.Id, default);
        Assert.Null(await Triggers.NextFireTimeAsync(s.Id, default));
        await Triggers.DeleteAsync(s.Id, default); // nothing left: no error
    }
}

public sealed class QuartzRamStoreTests : QuartzHotGoodsTriggersContract
{
    protected override string? ConnectionString => null;
}

public sealed class QuartzAdoJobStoreTests : QuartzHotGoodsTriggersContract
{
    private readonly TemporaryDatabase _db = new();

    protected override string? ConnectionString => _db.ConnectionString;

    public override async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_scheduler_creates_its_tables_and_stores_the_trigger_with_fire_and_proceed()
    {
        var s = Schedule2();
        await Triggers.ScheduleAsync(s, default);
        await using var source = _db.CreateDataSource();
        await using var cmd = source.CreateCommand("SELECT misfire_instr, trigger_state FROM qrtz_triggers WHERE trigger_name = $1");
        cmd.Parameters.AddWithValue(s.Id.ToString("N"));
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((int)global::Quartz.CronTriggerMisfireInstruction.FireAndProceed, Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("WAITING", reader.GetString(1));
    }

    [Fact]
    public void Bad_settings_are_refused_naming_the_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MisfireThreshold"] = "00:00:00.100", ["TablePrefix"] = "x; drop" }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddPromotionQuartz(config, _db.ConnectionString, "n", false));
        Assert.Contains(ex.Failures, f => f.StartsWith("Promotion:Quartz:MisfireThreshold", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Promotion:Quartz:TablePrefix", StringComparison.Ordinal));
    }

    private static HotGoodsSchedule Schedule2() =>
        new(Guid.NewGuid(), "gamers", "0/10 * * * * ?", "UTC", 5, [Channel.App], HotGoodsScheduleStatus.Active, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
}
