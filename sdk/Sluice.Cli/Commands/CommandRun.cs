namespace Sluice.Cli.Commands;

/// <summary>What a running command tells <see cref="CommandRunner"/> for its error messages.</summary>
internal sealed class CommandRun
{
    /// <summary>The endpoint the command talks to, named when it cannot be reached.</summary>
    public Uri? Endpoint { get; set; }
}
