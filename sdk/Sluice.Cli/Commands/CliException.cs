namespace Sluice.Cli.Commands;

/// <summary>A failure the user can fix, reported as one line on stderr with exit code 1.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliException()
    {
    }
}
