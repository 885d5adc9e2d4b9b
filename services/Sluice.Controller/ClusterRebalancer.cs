using Microsoft.EntityFrameworkCore;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Controller;

/// <summary>
/// The cluster administration behind <c>/admin/v1/cluster</c>: the storage nodes with their load, and rebalancing.
/// A rebalance plans with <see cref="RebalancePlanner"/> over the open shards of active streams and starts each
/// move as a reassignment (<see cref="PartitionStateStore.TryStartReassignmentAsync"/>); the active controller
/// completes them as the new replicas come into sync. One rebalance at a time: none is planned while shards are
/// still reassigning.
/// </summary>
public sealed class ClusterRebalancer(IDbContextFactory<MetadataDbContext> contexts, PartitionStateStore partitions, TimeProvider timeProvider)
{
    /// <summary>Every registered node; live when its heartbeat is younger than <paramref name="nodeLease"/>.</summary>
    public async Task<IReadOnlyList<ClusterNodeInfo>> ListNodesAsync(TimeSpan nodeLease, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var nodes = await db.StorageNodes.AsNoTracking().OrderBy(n => n.Id).ToListAsync(cancellationToken);
        var shards = await db.Shards.AsNoTracking()
            .Where(s => s.Stream!.Status != StreamStatus.Deleting)
            .Select(s => new { s.Replicas, s.LeaderNodeId })
            .ToListAsync(cancellationToken);
        var cutoff = timeProvider.GetUtcNow() - nodeLease;
        return [.. nodes.Select(n => new ClusterNodeInfo(
            n.Id, n.Address, n.Rack, n.HeartbeatAt > cutoff, n.NodeEpoch, n.HeartbeatAt,
            shards.Count(s => s.Replicas.Contains(n.Id)),
            shards.Count(s => s.LeaderNodeId == n.Id)))];
    }

    /// <summary>Shards whose reassignment is under way.</summary>
    public async Task<IReadOnlyList<ShardReassignment>> ListReassignmentsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Shards.AsNoTracking()
            .Where(s => s.TargetReplicas != null)
            .OrderBy(s => s.StreamId).ThenBy(s => s.ShardIndex)
            .Select(s => new { s.StreamId, s.Stream!.Name, s.ShardIndex, s.Replicas, s.TargetReplicas, s.LeaderNodeId, s.Isr })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new ShardReassignment(r.StreamId, r.Name, r.ShardIndex, r.Replicas, r.TargetReplicas!, r.LeaderNodeId, r.Isr))];
    }

    /// <summary>
    /// Plans a rebalance over the nodes live within <paramref name="nodeLease"/> and, unless <paramref name="dryRun"/>,
    /// starts its moves. Plans nothing while an earlier rebalance is under way.
    /// </summary>
    public async Task<RebalanceOutcome> RebalanceAsync(TimeSpan nodeLease, bool dryRun, CancellationToken cancellationToken = default)
    {
        List<RebalanceNode> live;
        List<(RebalanceShard Shard, int PartitionEpoch)> shards;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var inProgress = await db.Shards.CountAsync(s => s.TargetReplicas != null, cancellationToken);
            if (inProgress > 0)
            {
                return new RebalanceOutcome(dryRun, [], [], inProgress);
            }

            var cutoff = timeProvider.GetUtcNow() - nodeLease;
            live = await db.StorageNodes.AsNoTracking()
                .Where(n => n.HeartbeatAt > cutoff)
                .OrderBy(n => n.Id)
                .Select(n => new RebalanceNode(n.Id, n.Rack))
                .ToListAsync(cancellationToken);

            // Closed shards take no writes and streams being created, resharded or deleted are changing shape: only
            // the open shards of active streams move.
            var rows = await db.Shards.AsNoTracking()
                .Where(s => s.Stream!.Status == StreamStatus.Active && s.State == ShardState.Open)
                .Select(s => new { s.StreamId, s.ShardIndex, s.Replicas, s.LeaderNodeId, s.PartitionEpoch })
                .ToListAsync(cancellationToken);
            shards = [.. rows.Select(r => (new RebalanceShard(r.StreamId, r.ShardIndex, r.Replicas, r.LeaderNodeId), r.PartitionEpoch))];
        }

        var moves = RebalancePlanner.Plan(live, [.. shards.Select(s => s.Shard)]);
        if (dryRun)
        {
            return new RebalanceOutcome(true, moves, [], 0);
        }

        var epochs = shards.ToDictionary(s => (s.Shard.StreamId, s.Shard.ShardIndex), s => s.PartitionEpoch);
        var notStarted = new List<RebalanceMove>();
        foreach (var move in moves)
        {
            var started = await partitions.TryStartReassignmentAsync(
                move.StreamId, move.ShardIndex, epochs[(move.StreamId, move.ShardIndex)], move.Replicas, move.TargetReplicas, cancellationToken);
            if (started is null)
            {
                notStarted.Add(move);
            }
        }

        return new RebalanceOutcome(false, moves, notStarted, 0);
    }
}
