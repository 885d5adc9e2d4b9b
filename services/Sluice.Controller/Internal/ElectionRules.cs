using Sluice.Metadata;

namespace Sluice.Controller.Internal;

/// <summary>
/// The controller's decisions, as a pure function of the nodes (their current epochs), which of
/// them are live, and the shards' partition state. Per shard:
/// <list type="bullet">
/// <item>A leader that is missing, dead, or restarted (its node epoch differs from its ISR entry's)
/// is replaced by the first node in replica order that is in the ISR, live and not restarted, and
/// the ISR loses its dead and restarted members. Only ever a clean election.</item>
/// <item>With no such node but a live restarted ISR member (every node was killed and restarted),
/// that member leads, its ISR entry at its new epoch: logs are fsynced before any ack, so every ISR
/// member holds every acknowledged record.</item>
/// <item>With no live ISR member the shard goes offline: no leader, the leader epoch bumped to
/// fence the old one, the ISR kept (its last members are who must come back).</item>
/// <item>A healthy leader keeps leading; dead or restarted followers leave the ISR. The leader never
/// leaves, so the ISR is never empty.</item>
/// </list>
/// </summary>
internal static class ElectionRules
{
    public static List<PartitionChange> Decide(IReadOnlyList<NodeSnapshot> nodes, IReadOnlySet<string> liveNodes, IReadOnlyList<PartitionView> shards)
    {
        var epochs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            epochs[node.Id] = node.NodeEpoch;
        }

        var changes = new List<PartitionChange>();
        foreach (var shard in shards)
        {
            if (Decide(shard, epochs, liveNodes) is { } change)
            {
                changes.Add(change);
            }
        }

        return changes;
    }

    private static PartitionChange? Decide(PartitionView shard, Dictionary<string, long> epochs, IReadOnlySet<string> liveNodes)
    {
        MemberState StateOf(IsrMember member) =>
            !liveNodes.Contains(member.NodeId) || !epochs.TryGetValue(member.NodeId, out var epoch) ? MemberState.Dead
            : epoch == member.NodeEpoch ? MemberState.InSync
            : MemberState.Restarted;

        IsrMember? leaderEntry = null;
        foreach (var member in shard.Isr)
        {
            if (member.NodeId == shard.Leader)
            {
                leaderEntry = member;
                break;
            }
        }

        var leaderState = leaderEntry is { } entry ? StateOf(entry) : MemberState.Dead;
        if (leaderState == MemberState.InSync)
        {
            var keep = shard.Isr.Where(m => m.NodeId == shard.Leader || StateOf(m) == MemberState.InSync).ToArray();
            if (keep.Length == shard.Isr.Length)
            {
                return null;
            }

            var gone = shard.Isr.Where(m => !keep.Contains(m)).Select(m => $"{m.NodeId} ({StateOf(m).ToString().ToLowerInvariant()})");
            return new PartitionChange(shard, ChangeKind.ShrinkIsr, shard.Leader, keep, $"follower {string.Join(", ", gone)} left the ISR");
        }

        var why = shard.Leader is null ? "no leader"
            : leaderEntry is null ? $"leader {shard.Leader} not in the ISR"
            : $"leader {shard.Leader} {leaderState.ToString().ToLowerInvariant()}";
        var inSync = shard.Isr.Where(m => StateOf(m) == MemberState.InSync).ToArray();
        if (FirstByReplicaOrder(shard, inSync) is { } clean)
        {
            return new PartitionChange(shard, ChangeKind.Elect, clean.NodeId, inSync, why);
        }

        var restarted = shard.Isr.Where(m => StateOf(m) == MemberState.Restarted).ToArray();
        if (FirstByReplicaOrder(shard, restarted) is { } revived)
        {
            var current = new IsrMember(revived.NodeId, epochs[revived.NodeId]);
            return new PartitionChange(shard, ChangeKind.ElectRestarted, current.NodeId, [current], $"{why}; no in-sync replica kept its incarnation, {current.NodeId} restarted");
        }

        if (shard.Leader is null)
        {
            // Offline already: nothing to fence again until an ISR member is back.
            return null;
        }

        return new PartitionChange(shard, ChangeKind.Offline, null, shard.Isr, $"{why}; no live in-sync replica");
    }

    /// <summary>The first of <paramref name="members"/> in the shard's replica order (the preferred leader first).</summary>
    private static IsrMember? FirstByReplicaOrder(PartitionView shard, IsrMember[] members)
    {
        foreach (var replica in shard.Replicas)
        {
            foreach (var member in members)
            {
                if (member.NodeId == replica)
                {
                    return member;
                }
            }
        }

        return null;
    }

    private enum MemberState
    {
        InSync,
        Restarted,
        Dead,
    }
}
