using System.Diagnostics;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// Runs a command-line program (a client under test, a host subcommand) to its end within a
/// bounded time, with its output captured for the assertion message.
/// </summary>
internal static class ToolProcess
{
    /// <summary>
    /// Runs <paramref name="fileName"/> (looked up on PATH) with the test process's environment,
    /// changed by <paramref name="environment"/> (a null value removes a variable). A run that
    /// outlives <paramref name="timeout"/> is killed with its children and reported as timed out.
    /// </summary>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestEnvironment.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => AppendLine(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => AppendLine(stderr, e.Data);
        var started = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = false;
        using (var deadline = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        // The parameterless wait also drains the redirected output.
        await process.WaitForExitAsync();
        return new Result(timedOut ? null : process.ExitCode, Text(stdout), Text(stderr), started.Elapsed);
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void AppendLine(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>How a run ended: <see cref="ExitCode"/> is null when it was killed for taking too long.</summary>
    public sealed record Result(int? ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
    {
        /// <summary>Everything a failed assertion should show.</summary>
        public string Describe() =>
            $"{(ExitCode is { } code ? $"exit code {code}" : "timed out (killed)")} after {Elapsed.TotalSeconds:F0} s\n" +
            $"--- stdout ---\n{StandardOutput}--- stderr ---\n{StandardError}";
    }
}
