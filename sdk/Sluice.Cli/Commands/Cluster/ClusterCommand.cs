using System.CommandLine;

namespace Sluice.Cli.Commands.Cluster;

/// <summary>
/// <c>sluice cluster nodes|rebalance</c>: the gateway's admin REST API (<c>--http</c>), with a token carrying the
/// admin role (<c>Sluice.Gateway token --admin</c>).
/// </summary>
internal static class ClusterCommand
{
    private static readonly TimeSpan ProgressPollInterval = TimeSpan.FromSeconds(1);

    public static Command Create(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("cluster", "Storage nodes and rebalancing (needs an admin token; uses the REST endpoint, --http).");
        command.Subcommands.Add(NodesCommand(context, connection));
        command.Subcommands.Add(RebalanceCommand(context, connection));
        return command;
    }

    private static Command NodesCommand(CliContext context, ConnectionOptions connection)
    {
        var command = new Command("nodes", "List the storage nodes: liveness, rack, replicas held and shards led.");
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var admin = Connect(parseResult, context, connection, run);
            var nodes = await admin.NodesAsync(ct);
            var output = context.Stdout;
            await output.WriteLineAsync($"{"NODE",-24} {"LIVE",-5} {"RACK",-12} {"REPLICAS",8} {"LEADERS",7}  ADDRESS");
            foreach (var node in nodes.Nodes)
            {
                await output.WriteLineAsync($"{node.Id,-24} {(node.Live ? "yes" : "no"),-5} {node.Rack ?? "-",-12} {node.Replicas,8} {node.Leaders,7}  {node.Address}");
            }

            return CommandRunner.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static Command RebalanceCommand(CliContext context, ConnectionOptions connection)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print the moves a rebalance would make" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every move has completed (new replicas in sync, old ones removed)" };
        var command = new Command("rebalance", "Move replicas and leadership so that every live storage node holds and leads about as much; one line per move.") { dryRun, wait };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(context, async (run, ct) =>
        {
            using var admin = Connect(parseResult, context, connection, run);
            var plan = await admin.RebalanceAsync(parseResult.GetValue(dryRun), ct);
            foreach (var move in plan.Moves)
            {
                var notStarted = plan.NotStarted.Any(m => m.StreamId == move.StreamId && m.ShardId == move.ShardId) ? "  (not started: the shard changed; rebalance again)" : "";
                await context.Stdout.WriteLineAsync(
                    $"{move.StreamId}/{move.ShardId}  [{string.Join(",", move.Replicas)}] -> [{string.Join(",", move.TargetReplicas)}]  leader {move.Leader ?? "none"} -> {move.TargetLeader}{notStarted}");
            }

            await context.Stdout.FlushAsync(ct);
            if (plan.DryRun)
            {
                await context.Stderr.WriteLineAsync($"dry run: {plan.Moves.Count} move(s) planned, none started");
                return CommandRunner.ExitOk;
            }

            await context.Stderr.WriteLineAsync($"started {plan.Moves.Count - plan.NotStarted.Count} of {plan.Moves.Count} move(s)");
            if (!parseResult.GetValue(wait))
            {
                return CommandRunner.ExitOk;
            }

            var last = "";
            while (true)
            {
                var progress = await admin.ProgressAsync(ct);
                if (!progress.InProgress)
                {
                    await context.Stderr.WriteLineAsync("rebalance complete");
                    return CommandRunner.ExitOk;
                }

                var line = $"{progress.Shards.Count} shard(s) reassigning, {progress.Shards.Sum(s => s.CatchingUp.Count)} new replica(s) catching up";
                if (line != last)
                {
                    await context.Stderr.WriteLineAsync(line);
                    last = line;
                }

                await Task.Delay(ProgressPollInterval, ct);
            }
        }, cancellationToken));
        return command;
    }

    private static AdminRestClient Connect(ParseResult parseResult, CliContext context, ConnectionOptions connection, CommandRun run)
    {
        var endpoint = connection.ResolveHttp(parseResult, context);
        run.Endpoint = endpoint;
        return new AdminRestClient(endpoint, connection.ResolveToken(parseResult, context));
    }
}
