using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Promotion.Benchmarks;

/// <summary>
/// The benchmark's progress output (never stdout): timestamped log lines, and a progress bar
/// (count, rate, time remaining) for each long step, driven by the counts the step reports. On a
/// terminal the bar is a live Spectre display with the log lines printed above it; otherwise
/// (redirected, CI, a test's writer) the step prints one timestamped line every 10 seconds instead.
/// </summary>
internal sealed class BenchProgress
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(10);

    private readonly TextWriter _writer;
    private readonly IAnsiConsole _console;
    private readonly bool _interactive;
    private readonly Lock _gate = new();
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Progress written to <paramref name="writer"/>; live bars only when it is a terminal (stderr or stdout not redirected).</summary>
    public BenchProgress(TextWriter writer)
    {
        _writer = writer;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var profile = _console.Profile;
        _interactive = profile.Out.IsTerminal && profile.Capabilities.Interactive && profile.Capabilities.Ansi;
    }

    /// <summary>Writes <paramref name="line"/> with the time since the start of the run; above the live bar if one is shown.</summary>
    public void Log(string line)
    {
        var text = $"[{Stopwatch.GetElapsedTime(_started):mm\\:ss}] {line}";
        if (_interactive)
        {
            _console.WriteLine(text);
            return;
        }

        lock (_gate)
        {
            _writer.WriteLine(text);
            _writer.Flush();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a bar of <paramref name="total"/> <paramref name="unit"/>;
    /// the work reports its running count (the highest reported wins, so concurrent reporters may
    /// report out of order). <paramref name="detail"/>, when given, is read at each refresh and shown
    /// after the label on the bar, or at the end of the line.
    /// </summary>
    public Task TrackAsync(string label, long total, string unit, Func<IProgress<long>, Task> work, Func<string>? detail = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        return TrackAsync(label, total, unit, async p =>
        {
            await work(p);
            return true;
        }, detail);
    }

    /// <inheritdoc cref="TrackAsync(string, long, string, Func{IProgress{long}, Task}, Func{string}?)"/>
    public async Task<T> TrackAsync<T>(string label, long total, string unit, Func<IProgress<long>, Task<T>> work, Func<string>? detail = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        var counter = new Counter();
        if (!_interactive)
        {
            var started = Stopwatch.GetTimestamp();
            var lastLine = started;
            var running = work(counter);
            while (await Task.WhenAny(running, Task.Delay(Tick)) != running)
            {
                if (Stopwatch.GetElapsedTime(lastLine) >= LineEvery)
                {
                    lastLine = Stopwatch.GetTimestamp();
                    Log(Line(label, counter.Value, total, unit, Stopwatch.GetElapsedTime(started), detail));
                }
            }

            return await running;
        }

        return await _console.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn { Width = 30 },
                new CountColumn(total),
                new RateColumn(unit),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(total, 1));
                var running = work(counter);
                while (await Task.WhenAny(running, Task.Delay(Tick)) != running)
                {
                    task.Value = Math.Min(counter.Value, task.MaxValue);
                    if (detail is not null)
                    {
                        task.Description = Markup.Escape($"{label} ({detail()})");
                    }
                }

                return await running;
            });
    }

    // The non-interactive form of the bar: count, mean rate since the step started, time remaining at that rate.
    private static string Line(string label, long done, long total, string unit, TimeSpan elapsed, Func<string>? detail)
    {
        var rate = done / Math.Max(elapsed.TotalSeconds, 0.001);
        var left = rate > 0 ? Remaining(TimeSpan.FromSeconds((total - done) / rate)) : "unknown";
        return string.Create(CultureInfo.InvariantCulture, $"{label}: {done:N0}/{total:N0} {unit}, {rate:N0}/s, {left} left")
            + (detail is null ? "" : ", " + detail());
    }

    private static string Remaining(TimeSpan t) =>
        t < TimeSpan.Zero ? "0:00"
        : t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t:mm\\:ss}")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}:{t:ss}");

    // The highest count reported so far, readable from the rendering loop.
    private sealed class Counter : IProgress<long>
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Report(long value)
        {
            var seen = Interlocked.Read(ref _value);
            while (value > seen)
            {
                var was = Interlocked.CompareExchange(ref _value, value, seen);
                if (was == seen)
                {
                    return;
                }

                seen = was;
            }
        }
    }

    private sealed class CountColumn(long total) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{(long)task.Value:N0}/{total:N0}"));
    }

    private sealed class RateColumn(string unit) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? string.Create(CultureInfo.InvariantCulture, $"{speed:N0} {unit}/s") : $"- {unit}/s", new Style(Color.Aqua));
    }
}
