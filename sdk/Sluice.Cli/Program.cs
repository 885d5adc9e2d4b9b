using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using System.Text;
using Sluice.Cli.Commands;
using Sluice.Cli.Commands.Admin;
using Sluice.Cli.Commands.Acl;
using Sluice.Cli.Commands.Bench;
using Sluice.Cli.Commands.Cluster;
using Sluice.Cli.Commands.Schemas;

namespace Sluice.Cli;

/// <summary>The <c>sluice</c> command: streams admin, put, tail, bench, cluster and tenant admin, ACLs, and the schema registry.</summary>
internal static class Program
{
    private const int StdoutBufferBytes = 64 * 1024;
    private const int StdinBufferBytes = 64 * 1024;

    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();

        // The first Ctrl-C (or SIGTERM) asks the command to stop cleanly; a second one kills.
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using var stdin = new StreamReader(Console.OpenStandardInput(), utf8, detectEncodingFromByteOrderMarks: false, StdinBufferBytes);
        // Buffered: tail writes many lines and flushes when it has nothing more to write.
        await using var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8, StdoutBufferBytes) { AutoFlush = false };
        return await RunAsync(args, stdin, stdout, Console.Error, cancellation.Token);
    }

    /// <summary>Runs the command line in-process with the process environment.</summary>
    internal static Task<int> RunAsync(
        string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
        => RunAsync(args, new CliContext(stdin, stdout, stderr, Environment.GetEnvironmentVariable), cancellationToken);

    /// <summary>Runs the command line in-process; the exit code is the result.</summary>
    internal static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        var root = BuildRootCommand(context);
        var configuration = new InvocationConfiguration
        {
            Output = context.Stdout,
            Error = context.Stderr,
            // The caller owns Ctrl-C: Main turns it into cancellationToken, tests cancel it.
            ProcessTerminationTimeout = null,
        };

        try
        {
            // Bare `sluice` shows the help rather than "Required command was not provided".
            var parseResult = root.Parse(args.Length == 0 ? ["--help"] : args);
            if (parseResult.Action is ParseErrorAction)
            {
                // One line per error and a pointer to the help, rather than the whole help text.
                foreach (var error in parseResult.Errors)
                {
                    context.Error(error.Message);
                }

                var command = parseResult.CommandResult.Command;
                var path = command == root ? "sluice" : "sluice " + string.Join(' ', CommandPath(command));
                context.Error($"see '{path} --help'");
                return CommandRunner.ExitFailure;
            }

            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        finally
        {
            await context.Stdout.FlushAsync(CancellationToken.None);
        }
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? symbol = command; symbol is Command { } current and not RootCommand; symbol = current.Parents.FirstOrDefault())
        {
            names.Push(current.Name);
        }

        return names;
    }

    internal static RootCommand BuildRootCommand(CliContext context)
    {
        var connection = new ConnectionOptions();
        var root = new RootCommand("sluice: administer Sluice streams, write and read records, and benchmark a gateway.");
        connection.AddTo(root);
        root.Subcommands.Add(StreamsCommand.Create(context, connection));
        root.Subcommands.Add(PutCommand.Create(context, connection));
        root.Subcommands.Add(TailCommand.Create(context, connection));
        root.Subcommands.Add(BenchCommand.Create(context, connection));
        root.Subcommands.Add(ClusterCommand.Create(context, connection));
        root.Subcommands.Add(AdminCommand.Create(context, connection));
        root.Subcommands.Add(AclCommand.Create(context, connection));
        root.Subcommands.Add(SchemasCommand.Create(context, connection));
        return root;
    }
}
