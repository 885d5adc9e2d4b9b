namespace Sluice.Cli;

/// <summary>
/// What a command reads and writes besides its arguments: the standard streams and the
/// environment. Tests pass their own; <see cref="Program.Main"/> passes the process's.
/// </summary>
internal sealed record CliContext(
    TextReader Stdin,
    TextWriter Stdout,
    TextWriter Stderr,
    Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>Writes one line to stderr, prefixed with the tool's name.</summary>
    public void Error(string message) => Stderr.WriteLine("sluice: " + message);
}
