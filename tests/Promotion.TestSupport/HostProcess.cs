using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Promotion.TestSupport;

/// <summary>
/// A Promotion.Host started as a separate process (dotnet Promotion.Host.dll from the test's
/// output folder) with configuration in environment variables; killed when disposed.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the host with <paramref name="settings"/> (configuration keys like Promotion:Roles) and waits until /alive answers.</summary>
    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> settings, TimeSpan? timeout = null)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var host = Launch(["--Urls=" + url], settings, url);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(async () =>
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"host exited with {host.ExitCode}:\n{host.Output}");
            }

            try
            {
                return (await http.GetAsync(url + "/alive")).StatusCode == HttpStatusCode.OK;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the client's timeout.
                return false;
            }
        }, timeout ?? TimeSpan.FromSeconds(60), "host at " + url + " to answer /alive");
        return host;
    }

    /// <summary>Runs a CLI verb of the host to completion; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? settings = null)
    {
        await using var p = Launch(args, settings ?? new Dictionary<string, string>(), url: "");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await p._process.WaitForExitAsync(cts.Token);
        return (p._process.ExitCode, p.Output);
    }

    /// <summary>SIGKILL: the process dies at once, with no chance to checkpoint or release.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>This host's silo name, from its <c>/health</c> (worker-only hosts serve no <c>/api</c>).</summary>
    public async Task<string> SiloNameAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        // Read whatever the status code: a host not ready answers 503 with the same JSON.
        using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
        using var health = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return health.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("data").GetProperty("siloName").GetString()
            ?? throw new InvalidOperationException("/health names no silo");
    }

    /// <summary>SIGTERM: a graceful stop.</summary>
    public void Terminate()
    {
        if (SysKill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed: " + Marshal.GetLastPInvokeError());
        }
    }

    public Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }

        _process.Dispose();
    }

    private static HostProcess Launch(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> settings, string url)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Promotion.Host.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(process, url);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Keep the tail only: a long run must not grow the test's memory without bound.
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }

            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
