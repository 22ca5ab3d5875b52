using Promotion.Domain.HotGoods;

namespace Promotion.Domain.Tests.HotGoods;

public class HotGoodsCronTests
{
    // A Saturday.
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);

    private static DateTimeOffset? Next(string cron, DateTimeOffset after, string zone = "UTC") =>
        HotGoodsCron.Parse(cron).NextAfter(after, TimeZoneInfo.FindSystemTimeZoneById(zone));

    [Theory]
    [InlineData("0/10 * * * * ?")]
    [InlineData("0 0 10 ? * MON-FRI")]
    [InlineData("0 0 10 * * ?")]
    [InlineData("0 15 10 ? * THU")]
    [InlineData("0 0 12 L * ?")]
    [InlineData("0 0 12 LW * ?")]
    [InlineData("0 0 10 15W * ?")]
    [InlineData("0 0 12 ? * 6L")]
    [InlineData("0 0 12 ? * 6#3")]
    [InlineData("0 0/30 8-18 ? JAN,FEB,DEC 2-6")]
    [InlineData("  0 0 8 * * ?  ")]
    public void Quartz_style_expressions_are_accepted(string cron) =>
        Assert.True(HotGoodsCron.TryParse(cron, out _, out var problem), problem);

    [Fact]
    public void Numbered_days_of_week_count_from_sunday_as_in_quartz()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), Next("0 0 10 ? * 2", T0));   // 2 = Monday
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), Next("0 0 10 ? * 1", T0));   // 1 = Sunday
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), Next("0 0 10 ? * 7", T0));   // 7 = Saturday (T0 itself is excluded)
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), Next("0 0 10 ? * 2-6", T0)); // weekdays
        Assert.Equal(new DateTimeOffset(2026, 12, 18, 12, 0, 0, TimeSpan.Zero), Next("0 0 12 ? * 6#3", T0)); // third Friday
        Assert.Equal(Next("0 0 10 ? * MON", T0), Next("0 0 10 ? * 2", T0));
    }

    [Theory]
    [InlineData("*/5 * * * *", "six are needed")]
    [InlineData("0 0 10 1 1 ? 2030", "seventh field (year) is not supported")]
    [InlineData("0 0 25 * * ?", "")]
    [InlineData("0 0 10 ? * 0", "1-7 (1 = SUN, 7 = SAT)")]
    [InlineData("0 0 10 13 * FRI", "cannot both be given")]
    [InlineData("? 0 10 * * ?", "only allowed in day-of-month")]
    [InlineData("H 0 10 * * ?", "not part of the syntax")]
    [InlineData("@daily", "six are needed")]
    [InlineData("0 0 0 30 2 ?", "never fires")]
    [InlineData("every day", "six are needed")]
    [InlineData(" ", "empty")]
    public void What_quartz_or_cronos_cannot_read_is_refused_with_the_reason(string cron, string reason)
    {
        Assert.False(HotGoodsCron.TryParse(cron, out _, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Occurrences_are_in_the_schedules_time_zone_across_daylight_saving()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 30, 0, TimeSpan.Zero), Next("0 30 9 * * ?", T0, "Asia/Tokyo"));
        // 10:00 in Berlin is 08:00 UTC in summer time and 09:00 UTC after it ends on 25 October.
        var saturday = new DateTimeOffset(2026, 10, 24, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(saturday.AddHours(8), Next("0 0 10 * * ?", saturday, "Europe/Berlin"));
        Assert.Equal(saturday.AddDays(1).AddHours(9), Next("0 0 10 * * ?", saturday.AddHours(8), "Europe/Berlin"));
    }

    [Fact]
    public void An_occurrence_is_due_once_it_has_come_and_fires_on_time()
    {
        var cron = HotGoodsCron.Parse("0/5 * * * * ?");
        Assert.Empty(cron.Due(T0.AddSeconds(-5), T0.AddSeconds(-0.001), Threshold, TimeZoneInfo.Utc).ToFire);
        var due = cron.Due(T0.AddSeconds(-5), T0.AddSeconds(0.2), Threshold, TimeZoneInfo.Utc);
        Assert.Equal([T0], due.ToFire);
        Assert.Equal(0, due.Missed);
        Assert.Empty(cron.Due(T0, T0.AddSeconds(0.2), Threshold, TimeZoneInfo.Utc).ToFire);
    }

    [Fact]
    public void Occurrences_late_by_no_more_than_the_threshold_each_fire_oldest_first()
    {
        var due = HotGoodsCron.Parse("* * * * * ?").Due(T0, T0.AddSeconds(3.5), Threshold, TimeZoneInfo.Utc);
        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], due.ToFire);
        Assert.Equal(0, due.Missed);
    }

    [Fact]
    public void Misfired_occurrences_fire_once_for_the_latest_of_them()
    {
        // Down for three minutes on a 10-second schedule; back between two occurrences.
        var due = HotGoodsCron.Parse("0/10 * * * * ?").Due(T0, T0.AddMinutes(3).AddSeconds(7), Threshold, TimeZoneInfo.Utc);
        Assert.Equal([T0.AddMinutes(3)], due.ToFire);
        Assert.Equal(18, due.Missed);
        Assert.Equal((T0.AddSeconds(10), T0.AddMinutes(3)), (due.FirstMissed, due.LastMissed));

        // A daily schedule two days behind fires once, for today's 10:00.
        var daily = HotGoodsCron.Parse("0 0 10 * * ?").Due(T0, T0.AddDays(2).AddHours(4), Threshold, TimeZoneInfo.Utc);
        Assert.Equal([T0.AddDays(2)], daily.ToFire);
        Assert.Equal(2, daily.Missed);
    }

    [Fact]
    public void When_an_occurrence_is_on_time_it_stands_for_the_misfired_ones()
    {
        var due = HotGoodsCron.Parse("0/5 * * * * ?").Due(T0, T0.AddSeconds(60.5), Threshold, TimeZoneInfo.Utc);
        Assert.Equal([T0.AddSeconds(60)], due.ToFire);
        Assert.Equal(11, due.Missed);
        Assert.Equal((T0.AddSeconds(5), T0.AddSeconds(55)), (due.FirstMissed, due.LastMissed));
    }
}
