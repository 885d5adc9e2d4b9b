using System.CommandLine;
using Google.Protobuf;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice streams create|list|describe|delete|split|merge|scale|encrypt|decrypt|schema</c>.</summary>
internal static partial class StreamsCommand
{
    // camelCase names (the proto's JSON mapping), indented, zero values included so that every
    // field of the description shows.
    private static readonly JsonFormatter DescriptionFormatter = new(
        JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation("  "));

    private static readonly JsonFormatter LineFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("streams", "Create, list, describe, delete, reshard and encrypt streams, and bind them to schema subjects.");
        command.Subcommands.Add(CreateCommand(context, connection));
        command.Subcommands.Add(ListCommand(context, connection));
        command.Subcommands.Add(DescribeCommand(context, connection));
        command.Subcommands.Add(DeleteCommand(context, connection));
        command.Subcommands.Add(SplitCommand(context, connection));
        command.Subcommands.Add(MergeCommand(context, connection));
        command.Subcommands.Add(ScaleCommand(context, connection));
        command.Subcommands.Add(EncryptCommand(context, connection));
        command.Subcommands.Add(DecryptCommand(context, connection));
        command.Subcommands.Add(SchemaCommand(context, connection));
        return command;
    }

    private static Command CreateCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var shards = new Option<int>("--shards") { Description = "How many shards", Required = true, HelpName = "N" };
        var retention = new Option<int>("--retention-hours")
        {
            Description = "How long records are kept, in hours (0: the gateway's default, 24)",
            HelpName = "H",
        };
        shards.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--shards must be at least 1.");
            }
        });
        retention.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--retention-hours must not be negative.");
            }
        });

        var replicationFactor = new Option<int?>("--replication-factor") { Description = "Replicas per shard, 1 up to the live storage nodes (default: 3, capped by the live nodes)", HelpName = "N" };
        var minIsr = new Option<int?>("--min-isr") { Description = "In-sync replicas an acks=all write needs, 1 up to the replication factor (default: 2, capped by it)", HelpName = "N" };
        var acks = new Option<string?>("--acks") { Description = "Acknowledgement mode of writes that name none (default: all)", HelpName = "all|leader|none" };
        acks.AcceptOnlyFromAmong("all", "leader", "none");
        replicationFactor.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 1)
            {
                result.AddError("--replication-factor must be at least 1.");
            }
        });
        minIsr.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() < 1)
            {
                result.AddError("--min-isr must be at least 1.");
            }
        });

        var command = new Command("create", "Create a stream and print its description as JSON.") { name, shards, retention, replicationFactor, minIsr, acks };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var options = new CreateStreamOptions
            {
                RetentionHours = parseResult.GetValue(retention),
                ReplicationFactor = parseResult.GetValue(replicationFactor),
                MinInSyncReplicas = parseResult.GetValue(minIsr),
                Acks = parseResult.GetValue(acks) switch
                {
                    "all" => StreamAcks.All,
                    "leader" => StreamAcks.Leader,
                    "none" => StreamAcks.None,
                    _ => null,
                },
            };
            var description = await client.CreateStreamAsync(parseResult.GetRequiredValue(name), parseResult.GetValue(shards), options, ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command ListCommand(CliContext context, ConnectionOptions connection)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per stream and line instead of a table" };
        var command = new Command("list", "List the streams.") { json };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var asJson = parseResult.GetValue(json);
            var output = context.Stdout;
            // The header waits for the first answer, so a failure prints nothing but its error line.
            var header = !asJson;
            await foreach (var stream in client.ListStreamsAsync(cancellationToken: ct))
            {
                if (header)
                {
                    await WriteHeaderAsync(output);
                    header = false;
                }

                if (asJson)
                {
                    await output.WriteLineAsync(LineFormatter.Format(stream));
                }
                else
                {
                    var created = stream.CreatedAt?.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
                    await output.WriteLineAsync($"{stream.Name,-40} {stream.Status,-9} {stream.ShardCount,6}  {created}");
                }
            }

            if (header)
            {
                await WriteHeaderAsync(output);
            }

            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;

        static Task WriteHeaderAsync(TextWriter output) => output.WriteLineAsync($"{"NAME",-40} {"STATUS",-9} {"SHARDS",6}  CREATED");
    }

    private static Command DescribeCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var command = new Command("describe", "Print a stream and its shards as JSON.") { name };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var description = await client.DescribeStreamAsync(parseResult.GetRequiredValue(name), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command DeleteCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var command = new Command("delete", "Delete a stream and every record in it.") { name };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var streamName = parseResult.GetRequiredValue(name);
            await client.DeleteStreamAsync(streamName, ct);
            await context.Stderr.WriteLineAsync($"deleted stream {streamName}");
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    internal static SluiceClient Connect(ParseResult parseResult, CliContext context, ConnectionOptions connection, CommandRun run)
    {
        var options = connection.ResolveGrpc(parseResult, context);
        run.Endpoint = options.Endpoint;
        return new SluiceClient(options);
    }
}
