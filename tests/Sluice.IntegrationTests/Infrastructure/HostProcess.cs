using System.Diagnostics;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>A real Sluice host (storage node or gateway) run as its own process, restartable, killable with SIGKILL.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private const int MaxLogLines = 400;
    // Health probes of a TLS cluster meet its self-signed certificate (SluiceCluster writes it); the tests' own clients
    // check it exactly.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = static (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None || certificate?.Subject == SluiceCluster.TestCertificateSubject,
        },
    })
    { Timeout = TimeSpan.FromSeconds(3) };

    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Queue<string> _log = new();
    private readonly List<LogCapture> _captures = [];
    private Process? _process;

    // Set before the suite itself ends the process (kill, stop), so that only an exit nobody asked for is reported.
    private volatile bool _exitExpected;

    public HostProcess(string name, string dll, IReadOnlyDictionary<string, string> environment, string healthUrl)
    {
        Name = name;
        _dll = dll;
        _environment = environment;
        HealthUrl = healthUrl;
    }

    public string Name { get; }

    public string HealthUrl { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => _process?.Id;

    /// <summary>Stopped with SIGSTOP and not yet continued: alive, but runs no code at all.</summary>
    public bool IsPaused { get; private set; }

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        info.ArgumentList.Add(_dll);
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Exited += (_, _) => OnExited(process);
        _exitExpected = false;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        IsPaused = false;
    }

    /// <summary>
    /// SIGSTOP: the process freezes mid-whatever (timers, leases, in-flight requests) without
    /// noticing, which is what a long GC pause or a stalled VM looks like to the rest of the cluster.
    /// </summary>
    public async Task PauseAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            throw new InvalidOperationException($"{Name} is not running.");
        }

        await SignalAsync(process, "-STOP");
        IsPaused = true;
    }

    /// <summary>SIGCONT: the paused process runs on as if no time had passed.</summary>
    public async Task ResumeAsync()
    {
        if (_process is { HasExited: false } process && IsPaused)
        {
            await SignalAsync(process, "-CONT");
        }

        IsPaused = false;
    }

    /// <summary>Waits until the health URL answers 200, failing fast with the log if the process dies.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        await Wait.UntilAsync(async () =>
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{RecentLog()}");
            }

            try
            {
                using var response = await Http.GetAsync(HealthUrl);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, timeout, () => $"{Name} did not become healthy at {HealthUrl}:\n{RecentLog()}");
    }

    /// <summary>kill -9: no shutdown hooks, no flushing.</summary>
    public async Task KillAsync()
    {
        _exitExpected = true;
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        IsPaused = false;
    }

    /// <summary>SIGTERM and a bounded wait for a clean exit, then SIGKILL.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        _exitExpected = true;
        // A stopped process would hold SIGTERM until continued.
        await ResumeAsync();
        await SignalAsync(process, "-TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>
    /// A host that exits by itself (a crash, a host stopped by a failed background service) would otherwise show only as
    /// refused connections in every later test of its fixture: its last lines go to standard error and, when the suite
    /// names a folder for them (SLUICE_TEST_LOGS, which tests/run.sh prints after the run), to a file there.
    /// </summary>
    private void OnExited(Process process)
    {
        if (_exitExpected)
        {
            return;
        }

        try
        {
            // The exit can be seen before the last output lines are read; this waits for the end of both streams.
            process.WaitForExit();
            var report = $"{Name} (pid {process.Id}) at {HealthUrl} exited unexpectedly with code {process.ExitCode} at {DateTimeOffset.UtcNow:O}; its last lines:\n{RecentLog()}\n";
            Console.Error.WriteLine(report);
            if (Environment.GetEnvironmentVariable("SLUICE_TEST_LOGS") is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, $"{Name}-{process.Id}.log"), report);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"{Name} exited unexpectedly; its log could not be written: {ex.Message}");
        }
    }

    private static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
    }

    /// <summary>Keeps every line the process writes from now on (not only the recent ones) until the capture is disposed.</summary>
    public LogCapture CaptureLog()
    {
        var capture = new LogCapture(this);
        lock (_log)
        {
            _captures.Add(capture);
        }

        return capture;
    }

    public string RecentLog()
    {
        lock (_log)
        {
            return string.Join('\n', _log);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            foreach (var capture in _captures)
            {
                capture.Add(line);
            }

            _log.Enqueue(line);
            while (_log.Count > MaxLogLines)
            {
                _log.Dequeue();
            }
        }
    }

    /// <summary>Every line a host wrote while the capture was open.</summary>
    internal sealed class LogCapture(HostProcess host) : IDisposable
    {
        private readonly List<string> _lines = [];

        public string HostName => host.Name;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (host._log)
                {
                    return [.. _lines];
                }
            }
        }

        // Called under the host's log lock.
        internal void Add(string line) => _lines.Add(line);

        public void Dispose()
        {
            lock (host._log)
            {
                host._captures.Remove(this);
            }
        }
    }
}
