using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice streams encrypt|decrypt</c>: encryption at rest of a stream's new records, printing the stream as JSON.</summary>
internal static partial class StreamsCommand
{
    private static Command EncryptCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var keyId = new Option<string?>("--key-id") { Description = "Key id to record (default: alias/aws/kinesis)", HelpName = "KEY_ID" };
        var command = new Command(
            "encrypt", "Encrypt the stream's new records at rest (AES-256-GCM under the stream's data key) and print the stream as JSON.") { name, keyId };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var description = await client.SetStreamEncryptionAsync(parseResult.GetRequiredValue(name), enabled: true, parseResult.GetValue(keyId), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command DecryptCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var command = new Command(
            "decrypt", "Store the stream's new records in plain again (records written encrypted stay readable) and print the stream as JSON.") { name };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var description = await client.SetStreamEncryptionAsync(parseResult.GetRequiredValue(name), enabled: false, cancellationToken: ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }
}
