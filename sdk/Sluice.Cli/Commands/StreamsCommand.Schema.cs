using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice streams schema set|show|clear</c>: the schema registry subject a stream's records are checked against,
/// printing the binding (or, after clear, the stream) as JSON.
/// </summary>
internal static partial class StreamsCommand
{
    private static Command SchemaCommand(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("schema", "Bind a stream to a schema registry subject, show the binding, or clear it.");
        command.Subcommands.Add(SchemaSetCommand(context, connection));
        command.Subcommands.Add(SchemaShowCommand(context, connection));
        command.Subcommands.Add(SchemaClearCommand(context, connection));
        return command;
    }

    private static Command SchemaSetCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var subject = new Option<string>("--subject") { Description = "The registry subject; it must have a live version", Required = true, HelpName = "SUBJECT" };
        var compatibility = new Option<string?>("--compatibility")
        {
            Description = "Also set the subject's compatibility level for new versions",
            HelpName = "NONE|BACKWARD|BACKWARD_TRANSITIVE|FORWARD|FORWARD_TRANSITIVE|FULL|FULL_TRANSITIVE",
        };
        var command = new Command(
            "set", "Check every record put to the stream against the subject's schemas (wire format by schema id, plain JSON against the latest version); print the binding as JSON.")
        {
            name, subject, compatibility,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var binding = await client.SetStreamSchemaAsync(
                parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(subject), parseResult.GetValue(compatibility), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(binding));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command SchemaShowCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var command = new Command("show", "Print the stream's schema binding as JSON (an error when it is not bound).") { name };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var binding = await client.GetStreamSchemaAsync(parseResult.GetRequiredValue(name), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(binding));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command SchemaClearCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var command = new Command("clear", "Stop checking the stream's records against a schema subject and print the stream as JSON.") { name };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var description = await client.ClearStreamSchemaAsync(parseResult.GetRequiredValue(name), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }
}
