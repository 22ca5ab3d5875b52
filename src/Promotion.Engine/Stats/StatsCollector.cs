using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Promotion.Engine.Stats;

/// <summary>
/// Builds the stats document from every registered <see cref="IStatsSection"/>: sections are
/// read concurrently, each under <see cref="StatsOptions.SectionTimeout"/>; one that fails or
/// is slow shows <c>{"error": ...}</c> and the others still answer. The document is shared for
/// <see cref="StatsOptions.CacheFor"/>, so any number of dashboards polling cost one read.
/// </summary>
public sealed partial class StatsCollector
{
    private readonly List<IStatsSection> _sections;
    private readonly IOptions<StatsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StatsCollector> _logger;
    private readonly Lock _gate = new();
    private DateTimeOffset _builtAt;
    private Task<IReadOnlyDictionary<string, object?>>? _last;

    /// <summary>Creates the collector over <paramref name="sections"/>; of two with the same name the first registered wins.</summary>
    public StatsCollector(IEnumerable<IStatsSection> sections, IOptions<StatsOptions> options, TimeProvider time, ILogger<StatsCollector> logger)
    {
        ArgumentNullException.ThrowIfNull(sections);
        _options = options;
        _time = time;
        _logger = logger;
        var unique = new List<IStatsSection>();
        foreach (var section in sections)
        {
            if (unique.Any(s => string.Equals(s.Name, section.Name, StringComparison.Ordinal)) || section.Name is "at")
            {
                LogDuplicate(logger, section.Name, section.GetType().Name);
                continue;
            }

            unique.Add(section);
        }

        _sections = unique;
    }

    /// <summary>The section names, in the order they appear in the document.</summary>
    public IEnumerable<string> SectionNames => _sections.Select(s => s.Name);

    /// <summary>
    /// The stats document: <c>at</c> (when it was read) and one entry per section that returned
    /// something. Callers share a document younger than <see cref="StatsOptions.CacheFor"/>.
    /// </summary>
    public Task<IReadOnlyDictionary<string, object?>> CollectAsync()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_last is null || _last.IsFaulted || now - _builtAt >= _options.Value.CacheFor)
            {
                _builtAt = now;
                _last = BuildAsync(now);
            }

            return _last;
        }
    }

    private async Task<IReadOnlyDictionary<string, object?>> BuildAsync(DateTimeOffset now)
    {
        // Not the caller's token: the document is shared by every caller within CacheFor.
        var reads = _sections.Select(ReadAsync).ToList();
        var values = await Task.WhenAll(reads);
        var document = new Dictionary<string, object?>(StringComparer.Ordinal) { ["at"] = now };
        for (var i = 0; i < _sections.Count; i++)
        {
            if (values[i] is { } value)
            {
                document[_sections[i].Name] = value;
            }
        }

        return document;
    }

    private async Task<object?> ReadAsync(IStatsSection section)
    {
        var timeout = _options.Value.SectionTimeout;
        using var cts = new CancellationTokenSource(timeout, _time);
        try
        {
            // WaitAsync also covers a section that ignores its token.
            return await section.ReadAsync(cts.Token).WaitAsync(timeout, _time);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && cts.IsCancellationRequested))
        {
            LogSectionFailed(_logger, section.Name, ex);
            return new SectionError($"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSectionFailed(_logger, section.Name, ex);
            return new SectionError(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats section {Section} failed; it shows an error until it answers again")]
    private static partial void LogSectionFailed(ILogger logger, string section, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats section {Section} from {Type} is ignored: another section already has that name")]
    private static partial void LogDuplicate(ILogger logger, string section, string type);
}

/// <summary>What a failed section shows instead of its content.</summary>
/// <param name="Error">Why it has nothing to show.</param>
public sealed record SectionError(string Error);
