using System.Globalization;

namespace Promotion.Benchmarks;

/// <summary>
/// Peak resident memory of a process: VmHWM from /proc (the kernel's own high-water mark, so no
/// short peak between samples is missed), with VmRSS sampled as a fallback if the process ends first.
/// </summary>
public sealed class ProcessMemory : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peakKb;

    public ProcessMemory(int pid)
    {
        _pid = pid;
        _sampler = SampleAsync();
    }

    /// <summary>Peak resident set in MiB so far.</summary>
    public double PeakMb => Math.Max(Interlocked.Read(ref _peakKb), StatusKb(_pid, "VmHWM:")) / 1024.0;

    public static long StatusKb(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var hwm = Math.Max(StatusKb(_pid, "VmHWM:"), StatusKb(_pid, "VmRSS:"));
                if (hwm > Interlocked.Read(ref _peakKb))
                {
                    Interlocked.Exchange(ref _peakKb, hwm);
                }

                await Task.Delay(250, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }
}
