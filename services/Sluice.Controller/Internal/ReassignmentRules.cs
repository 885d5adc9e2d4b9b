using Sluice.Metadata;

namespace Sluice.Controller.Internal;

/// <summary>
/// How the controller completes reassignments (KIP-455 style), as a pure function of the nodes (their current
/// epochs), which of them are live, and the shards' partition state. A shard with a target replica set already
/// has the new replicas in its replica set (they follow and catch up while writes go on). Per such shard:
/// <list type="bullet">
/// <item>Nothing happens until the leader is live and in sync and every target replica is in the ISR, live and of
/// the node epoch it joined with: a replica still catching up, or a dead or restarted one, holds the reassignment
/// (the election rules deal with the dead ones first).</item>
/// <item>The intended leader is the target's first replica (the planner puts the current leader first unless it
/// means to move leadership, or must because the leader is removed). If it is not the leader yet, leadership moves
/// first, at the next leader epoch and with the ISR as it is (the old leader follows until the next step): only
/// ever to a live in-sync replica, as every target replica is one by then.</item>
/// <item>Then the replica set becomes the target and the ISR loses the removed replicas, which must leave at least
/// the stream's min in-sync replicas (and never fewer members than the target has).</item>
/// </list>
/// </summary>
internal static class ReassignmentRules
{
    public static List<ReassignmentStep> Decide(IReadOnlyList<NodeSnapshot> nodes, IReadOnlySet<string> liveNodes, IReadOnlyList<PartitionView> shards)
    {
        var epochs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            epochs[node.Id] = node.NodeEpoch;
        }

        var steps = new List<ReassignmentStep>();
        foreach (var shard in shards)
        {
            if (shard.TargetReplicas is { Length: > 0 } && Decide(shard, shard.TargetReplicas, epochs, liveNodes) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private static ReassignmentStep? Decide(PartitionView shard, string[] target, Dictionary<string, long> epochs, IReadOnlySet<string> liveNodes)
    {
        bool InSync(string nodeId)
        {
            foreach (var member in shard.Isr)
            {
                if (member.NodeId == nodeId)
                {
                    return liveNodes.Contains(nodeId) && epochs.TryGetValue(nodeId, out var epoch) && epoch == member.NodeEpoch;
                }
            }

            return false;
        }

        if (shard.Leader is not { } leader || !InSync(leader))
        {
            return null;
        }

        if (!target.All(InSync))
        {
            return null;
        }

        var newIsr = shard.Isr.Where(m => target.Contains(m.NodeId, StringComparer.Ordinal)).ToArray();
        if (newIsr.Length < Math.Max(shard.MinInSyncReplicas, target.Length))
        {
            return null;
        }

        var intended = target[0];
        if (intended != leader)
        {
            var why = target.Contains(leader, StringComparer.Ordinal)
                ? $"the target names {intended} its preferred leader"
                : $"leader {leader} is being removed";
            return new ReassignmentStep(shard, ReassignmentStepKind.MoveLeader, intended, target, shard.Isr, why);
        }

        var removed = shard.Replicas.Where(r => !target.Contains(r, StringComparer.Ordinal)).ToArray();
        var reason = removed.Length == 0
            ? "every target replica is in sync"
            : $"every target replica is in sync; {string.Join(",", removed)} removed";
        return new ReassignmentStep(shard, ReassignmentStepKind.Complete, leader, target, newIsr, reason);
    }
}
