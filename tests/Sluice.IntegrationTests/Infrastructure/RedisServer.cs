using System.Diagnostics;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A Redis server of a test's own (the Debian <c>redis-server</c>, as tests/run.sh starts), on a free loopback port with no
/// persistence, that the test may kill -9 and start again on the same port.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private Process? _process;

    public int Port { get; } = TestEnvironment.FreePort();

    /// <summary>host:port, as <c>ConnectionStrings:Redis</c> takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Redis is already running.");
        }

        var info = new ProcessStartInfo(Binary())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Wait.UntilAsync(async () => await PingAsync() || (_process.HasExited ? throw new InvalidOperationException("redis-server exited on start.") : false),
            StartTimeout, () => $"Redis on {Endpoint} answering PING");
    }

    /// <summary>kill -9: Redis is gone at once, with every connection reset and every key lost.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>True when Redis answers PING.</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read >= 5 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private static string Binary()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var path = Path.Combine(directory, "redis-server");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; tests/run.sh installs it).");
    }
}
