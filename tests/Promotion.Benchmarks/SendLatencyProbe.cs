using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Promotion.Benchmarks;

/// <summary>
/// Reads the engine's <c>promotion.send.duration</c> histogram (time from taking an in-flight
/// slot to a send's final outcome, measured inside the host) from a running host process over
/// EventPipe, the way dotnet-counters does: the runtime's metrics aggregator publishes the
/// 0.5, 0.95 and 0.99 quantiles of each one-second interval. The overall figures are the
/// send-weighted medians of the per-second quantiles (a typical second's p50 and p99) and the
/// worst second's p99; the raw values never leave the host, so an exact overall p99 is not
/// available this way.
/// </summary>
public sealed class SendLatencyProbe : IAsyncDisposable
{
    private const string MetricsProvider = "System.Diagnostics.Metrics";
    private const long TimeSeriesValuesKeyword = 0x2;

    private readonly List<(long Count, double P50, double P99)> _seconds = [];
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _processing;
    private readonly string _sessionId;

    private SendLatencyProbe(EventPipeSession session, string sessionId)
    {
        _session = session;
        _sessionId = sessionId;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Dynamic.All += OnEvent;
        _processing = Task.Run(() => _source.Process());
    }

    /// <summary>Starts listening to <paramref name="pid"/>; null (with the reason) when the process cannot be reached.</summary>
    public static (SendLatencyProbe? Probe, string? Error) TryStart(int pid)
    {
        try
        {
            var sessionId = Guid.NewGuid().ToString();
            var client = new DiagnosticsClient(pid);
            var provider = new EventPipeProvider(MetricsProvider, EventLevel.Informational, TimeSeriesValuesKeyword, new Dictionary<string, string>
            {
                ["SessionId"] = sessionId,
                ["Metrics"] = "Promotion",
                ["RefreshInterval"] = "1",
                ["MaxTimeSeries"] = "100",
                ["MaxHistograms"] = "20",
                ["ClientId"] = sessionId,
            });
            var session = client.StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 64);
            return (new SendLatencyProbe(session, sessionId), null);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or EndOfStreamException or IOException or UnsupportedCommandException or TimeoutException)
        {
            return (null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>One-second intervals that had sends.</summary>
    public int Seconds
    {
        get
        {
            lock (_seconds)
            {
                return _seconds.Count;
            }
        }
    }

    /// <summary>Send-weighted median of the per-second p50 and p99, and the worst second's p99 (ms); NaN before any send.</summary>
    public (double P50, double P99, double P99Max) Summary()
    {
        lock (_seconds)
        {
            if (_seconds.Count == 0)
            {
                return (double.NaN, double.NaN, double.NaN);
            }

            return (WeightedMedian(_seconds.Select(s => (s.P50, s.Count))), WeightedMedian(_seconds.Select(s => (s.P99, s.Count))), _seconds.Max(s => s.P99));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or EndOfStreamException or TimeoutException)
        {
            // the host is gone already: the stream ends on its own
        }

        await Task.WhenAny(_processing, Task.Delay(TimeSpan.FromSeconds(5)));
        _session.Dispose();
        _source.Dispose();
    }

    private static double WeightedMedian(IEnumerable<(double Value, long Weight)> values)
    {
        var sorted = values.OrderBy(v => v.Value).ToList();
        var half = sorted.Sum(v => v.Weight) / 2.0;
        var seen = 0L;
        foreach (var (value, weight) in sorted)
        {
            seen += weight;
            if (seen >= half)
            {
                return value;
            }
        }

        return sorted[^1].Value;
    }

    private void OnEvent(TraceEvent e)
    {
        if (e.ProviderName != MetricsProvider || e.EventName != "HistogramValuePublished"
            || e.PayloadByName("sessionId") as string != _sessionId
            || e.PayloadByName("instrumentName") as string != "promotion.send.duration")
        {
            return;
        }

        var count = Convert.ToInt64(e.PayloadByName("count") ?? 0, CultureInfo.InvariantCulture);
        if (count <= 0 || e.PayloadByName("quantiles") is not string quantiles)
        {
            return;
        }

        double p50 = double.NaN, p99 = double.NaN;
        foreach (var part in quantiles.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=');
            if (kv.Length == 2 && double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                if (kv[0] == "0.5")
                {
                    p50 = v;
                }
                else if (kv[0] == "0.99")
                {
                    p99 = v;
                }
            }
        }

        if (!double.IsNaN(p50) && !double.IsNaN(p99))
        {
            lock (_seconds)
            {
                _seconds.Add((count, p50, p99));
            }
        }
    }
}
