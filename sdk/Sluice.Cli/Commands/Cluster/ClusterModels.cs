using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.Cli.Commands.Bench;

namespace Sluice.Cli.Commands.Cluster;

// The parts of the gateway's /admin/v1/cluster JSON that `sluice cluster` reads (camelCase).

internal sealed record ClusterNode(string Id, string Address, string? Rack, bool Live, long NodeEpoch, int Replicas, int Leaders);

internal sealed record ClusterNodes(List<ClusterNode> Nodes);

internal sealed record RebalanceMove(long StreamId, string ShardId, List<string> Replicas, string? Leader, List<string> TargetReplicas, string TargetLeader);

internal sealed record Rebalance(bool DryRun, List<RebalanceMove> Moves, List<RebalanceMove> NotStarted);

internal sealed record ShardReassignment(long StreamId, string Stream, string ShardId, List<string> TargetReplicas, List<string> CatchingUp);

internal sealed record RebalanceProgress(bool InProgress, List<ShardReassignment> Shards);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ClusterNodes))]
[JsonSerializable(typeof(Rebalance))]
[JsonSerializable(typeof(RebalanceProgress))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
