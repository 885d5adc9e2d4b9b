using Sluice.Controller;

namespace Sluice.Gateway.Admin;

/// <summary>A storage node as GET /admin/v1/cluster/nodes describes it.</summary>
/// <param name="Live">Its heartbeat is younger than the gateway's node lease.</param>
/// <param name="Replicas">Shard replicas placed on it (of streams not being deleted).</param>
/// <param name="Leaders">Shards it leads.</param>
public sealed record ClusterNodeDto(string Id, string Address, string? Rack, bool Live, long NodeEpoch, DateTimeOffset HeartbeatAt, int Replicas, int Leaders)
{
    public static ClusterNodeDto From(ClusterNodeInfo node) =>
        new(node.Id, node.Address, node.Rack, node.Live, node.NodeEpoch, node.HeartbeatAt, node.Replicas, node.Leaders);
}

/// <summary>Response of GET /admin/v1/cluster/nodes.</summary>
public sealed record ClusterNodesDto(IReadOnlyList<ClusterNodeDto> Nodes);

/// <summary>One shard's move in a rebalance: from its replicas and leader to the target ones.</summary>
public sealed record RebalanceMoveDto(
    long StreamId, string ShardId, IReadOnlyList<string> Replicas, string? Leader, IReadOnlyList<string> TargetReplicas, string TargetLeader,
    IReadOnlyList<string> Adding, IReadOnlyList<string> Removing)
{
    public static RebalanceMoveDto From(RebalanceMove move) => new(
        move.StreamId, Sluice.Core.ShardId.Format(move.ShardIndex), move.Replicas, move.Leader, move.TargetReplicas, move.TargetLeader,
        [.. move.Adding], [.. move.Removing]);
}

/// <summary>Response of POST /admin/v1/cluster/rebalance.</summary>
/// <param name="DryRun">Only planned; nothing started.</param>
/// <param name="Moves">The planned moves (all started unless a dry run, but for <paramref name="NotStarted"/>).</param>
/// <param name="NotStarted">Moves whose shard changed between planning and starting: a later rebalance plans them again.</param>
public sealed record RebalanceDto(bool DryRun, IReadOnlyList<RebalanceMoveDto> Moves, IReadOnlyList<RebalanceMoveDto> NotStarted)
{
    public static RebalanceDto From(RebalanceOutcome outcome) =>
        new(outcome.DryRun, [.. outcome.Moves.Select(RebalanceMoveDto.From)], [.. outcome.NotStarted.Select(RebalanceMoveDto.From)]);
}

/// <summary>A shard still reassigning.</summary>
/// <param name="Replicas">Its replicas now: the old ones and the new ones.</param>
/// <param name="CatchingUp">Target replicas not in the ISR yet.</param>
public sealed record ShardReassignmentDto(
    long StreamId, string Stream, string ShardId, IReadOnlyList<string> Replicas, IReadOnlyList<string> TargetReplicas, string? Leader,
    IReadOnlyList<string> Isr, IReadOnlyList<string> CatchingUp)
{
    public static ShardReassignmentDto From(ShardReassignment shard) => new(
        shard.StreamId, shard.StreamName, Sluice.Core.ShardId.Format(shard.ShardIndex), shard.Replicas, shard.TargetReplicas, shard.Leader, shard.Isr, [.. shard.CatchingUp]);
}

/// <summary>Response of GET /admin/v1/cluster/rebalance.</summary>
/// <param name="InProgress">Some shard is still reassigning.</param>
public sealed record RebalanceProgressDto(bool InProgress, IReadOnlyList<ShardReassignmentDto> Shards);
