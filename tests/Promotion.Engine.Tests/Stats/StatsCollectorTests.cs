using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Promotion.Engine.Stats;
using Promotion.TestSupport;

namespace Promotion.Engine.Tests.Stats;

public sealed class StatsCollectorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Every_section_appears_under_its_name_and_one_that_fails_shows_its_error_without_hiding_the_others()
    {
        var collector = Collector(new Section("alpha", () => Task.FromResult<object?>(new { n = 1 })),
            new Section("broken", () => throw new InvalidOperationException("store down")),
            new Section("absent", () => Task.FromResult<object?>(null)));

        var document = await collector.CollectAsync();

        Assert.Equal(["at", "alpha", "broken"], document.Keys);
        Assert.Equal(new SectionError("store down"), document["broken"]);
    }

    [Fact]
    public async Task A_section_that_does_not_answer_in_time_is_reported_as_such()
    {
        var never = new TaskCompletionSource<object?>();
        var collector = new StatsCollector([new Section("slow", () => never.Task)],
            Options.Create(new StatsOptions { SectionTimeout = TimeSpan.FromMilliseconds(50) }), TimeProvider.System, NullLogger<StatsCollector>.Instance);

        var document = await collector.CollectAsync();

        Assert.StartsWith("no answer within", Assert.IsType<SectionError>(document["slow"]).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readers_within_the_cache_time_share_one_read_and_a_second_section_of_the_same_name_is_ignored()
    {
        var reads = 0;
        var collector = Collector(new Section("a", () => Task.FromResult<object?>(++reads)), new Section("a", () => Task.FromResult<object?>(-1)));

        Assert.Equal(1, (await collector.CollectAsync())["a"]);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, (await collector.CollectAsync())["a"]);
        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(2, (await collector.CollectAsync())["a"]);
        Assert.Equal(["a"], collector.SectionNames);
    }

    private StatsCollector Collector(params IStatsSection[] sections) =>
        new(sections, Options.Create(new StatsOptions { CacheFor = TimeSpan.FromSeconds(1) }), _time, NullLogger<StatsCollector>.Instance);

    private sealed class Section(string name, Func<Task<object?>> read) : IStatsSection
    {
        public string Name => name;

        public Task<object?> ReadAsync(CancellationToken cancellationToken) => read();
    }
}
