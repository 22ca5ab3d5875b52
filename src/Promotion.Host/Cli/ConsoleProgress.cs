using Spectre.Console;
using Spectre.Console.Rendering;

namespace Promotion.Host.Cli;

/// <summary>Progress bars for long-running verbs: bar, percentage, rate and time remaining.</summary>
internal static class ConsoleProgress
{
    /// <summary>
    /// Runs <paramref name="work"/> with one progress bar of <paramref name="total"/> units; the
    /// work reports the running count through the <see cref="IProgress{T}"/> it is given.
    /// </summary>
    /// <remarks>
    /// Each run gets a console of its own: Spectre's shared static console allows one live display
    /// per process, so two verbs running at once (as in the tests) would refuse each other.
    /// </remarks>
    public static Task RunAsync(string description, long total, string unit, Func<IProgress<long>, Task> work) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }).Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RateColumn(unit),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(description, maxValue: Math.Max(total, 1));
                await work(new Progress<long>(done => task.Value = done));
                task.Value = task.MaxValue;
            });

    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed:N0} {unit}/s" : $"- {unit}/s", new Style(Color.Aqua));
    }
}
