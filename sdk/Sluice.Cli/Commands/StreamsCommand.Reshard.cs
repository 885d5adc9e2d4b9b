using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice streams split|merge|scale</c>: resharding, each printing the stream afterwards as JSON.</summary>
internal static partial class StreamsCommand
{
    private static Command SplitCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var shard = new Argument<string>("shard") { Description = "The open shard to split, e.g. shardId-000000000000" };
        var at = new Option<string>("--at")
        {
            Description = "Decimal hash key strictly inside the shard where the upper child starts",
            Required = true,
            HelpName = "HASH_KEY",
        };
        var command = new Command("split", "Split an open shard in two at a hash key and print the stream as JSON.") { name, shard, at };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var description = await client.SplitShardAsync(parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(shard), parseResult.GetRequiredValue(at), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command MergeCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var shard = new Argument<string>("shard") { Description = "One open shard" };
        var adjacent = new Argument<string>("adjacent-shard") { Description = "The open shard whose hash-key range borders it" };
        var command = new Command("merge", "Merge two adjacent open shards into one and print the stream as JSON.") { name, shard, adjacent };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var description = await client.MergeShardsAsync(parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(shard), parseResult.GetRequiredValue(adjacent), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(description));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command ScaleCommand(CliContext context, ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The stream's name" };
        var shards = new Option<int>("--shards") { Description = "Open shards wanted, between half and double the current count", Required = true, HelpName = "N" };
        shards.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--shards must be at least 1.");
            }
        });
        var command = new Command("scale", "Split and merge until N open shards cover the hash keys evenly; print the counts and the stream as JSON.") { name, shards };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var client = Connect(parseResult, context, connection, run);
            var response = await client.UpdateShardCountAsync(parseResult.GetRequiredValue(name), parseResult.GetValue(shards), ct);
            await context.Stdout.WriteLineAsync(DescriptionFormatter.Format(response));
            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }
}
