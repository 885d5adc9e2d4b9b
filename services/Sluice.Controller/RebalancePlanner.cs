namespace Sluice.Controller;

/// <summary>
/// Plans a rebalance: which replicas to move so that every live node holds about as many replicas, and leads
/// about as many shards, as every other, moving as few replicas as it can. Pure and deterministic (every tie
/// breaks by node id, then stream and shard). In order:
/// <list type="number">
/// <item>Replicas on nodes that are not live move to live nodes (a rack the shard's other replicas do not use
/// first, then the node holding fewest replicas).</item>
/// <item>While the fullest node holds at least two replicas more than the emptiest, one replica moves from a
/// fuller to an emptier node: never a replica this plan already moved, never onto a node holding the shard,
/// never to fewer distinct racks for the shard; a follower rather than a leader when there is a choice. Each
/// move narrows the gap, so the count of moves is what evening out takes.</item>
/// <item>Leaders: a shard keeps its leader when that stays a replica; one whose leader moves away is led by its
/// replica leading fewest shards. Then, while the node leading most shards leads at least two more than another
/// replica of one of them, that replica is made the leader (shards already being moved first).</item>
/// </list>
/// A node without a rack counts as a rack of its own, so a cluster without racks is balanced by counts alone.
/// Shards without a live leader (offline, or an election pending) are never moved, but count towards load.
/// </summary>
public static class RebalancePlanner
{
    public static IReadOnlyList<RebalanceMove> Plan(IReadOnlyList<RebalanceNode> liveNodes, IReadOnlyList<RebalanceShard> shards)
    {
        ArgumentNullException.ThrowIfNull(liveNodes);
        ArgumentNullException.ThrowIfNull(shards);
        if (liveNodes.Count == 0)
        {
            return [];
        }

        var nodes = liveNodes.Select(n => n.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var racks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in liveNodes)
        {
            racks[node.Id] = string.IsNullOrEmpty(node.Rack) ? "\0node:" + node.Id : node.Rack;
        }

        var work = shards
            .OrderBy(s => s.StreamId).ThenBy(s => s.ShardIndex)
            .Select(s => new Working(s, s.Leader is { } l && racks.ContainsKey(l) && s.Replicas.Contains(l, StringComparer.Ordinal)))
            .ToList();
        var replicaCounts = nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var shard in work)
        {
            foreach (var replica in shard.Replicas)
            {
                if (replicaCounts.TryGetValue(replica, out var count))
                {
                    replicaCounts[replica] = count + 1;
                }
            }
        }

        string RackOf(string node) => racks.TryGetValue(node, out var rack) ? rack : "\0node:" + node;

        int DistinctRacks(IEnumerable<string> replicas) => replicas.Select(RackOf).Distinct(StringComparer.Ordinal).Count();

        // 1. Off nodes that are not live.
        foreach (var shard in work.Where(s => s.Movable))
        {
            for (var i = 0; i < shard.Replicas.Count; i++)
            {
                if (racks.ContainsKey(shard.Replicas[i]))
                {
                    continue;
                }

                var others = shard.Replicas.Where((_, j) => j != i).ToList();
                var usedRacks = others.Select(RackOf).ToHashSet(StringComparer.Ordinal);
                var destination = nodes
                    .Where(n => !shard.Replicas.Contains(n, StringComparer.Ordinal))
                    .OrderBy(n => usedRacks.Contains(racks[n]) ? 1 : 0)
                    .ThenBy(n => replicaCounts[n])
                    .ThenBy(n => n, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (destination is not null)
                {
                    shard.Replace(i, destination);
                    replicaCounts[destination]++;
                }
            }
        }

        // 2. Even out replica counts.
        while (FindReplicaMove() is { } move)
        {
            move.Shard.Replace(move.Index, move.Destination);
            replicaCounts[move.Source]--;
            replicaCounts[move.Destination]++;
        }

        // 3. Leaders.
        var leaderCounts = nodes.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var shard in work.Where(s => s.Leader is { } l && s.Replicas.Contains(l, StringComparer.Ordinal)))
        {
            if (leaderCounts.TryGetValue(shard.Leader!, out var count))
            {
                leaderCounts[shard.Leader!] = count + 1;
            }
        }

        foreach (var shard in work.Where(s => s.Movable && !s.Replicas.Contains(s.Leader!, StringComparer.Ordinal)))
        {
            var leader = shard.Replicas.OrderBy(r => leaderCounts[r]).ThenBy(r => r, StringComparer.Ordinal).First();
            shard.Leader = leader;
            leaderCounts[leader]++;
        }

        while (FindLeaderMove() is { } change)
        {
            leaderCounts[change.Shard.Leader!]--;
            leaderCounts[change.Destination]++;
            change.Shard.Leader = change.Destination;
        }

        return [.. work.Where(s => s.Changed).Select(s => s.ToMove())];

        ReplicaMove? FindReplicaMove()
        {
            var bySize = nodes.OrderByDescending(n => replicaCounts[n]).ThenBy(n => n, StringComparer.Ordinal).ToList();
            foreach (var source in bySize)
            {
                foreach (var destination in Enumerable.Reverse(bySize).Where(d => replicaCounts[source] - replicaCounts[d] >= 2).OrderBy(d => replicaCounts[d]).ThenBy(d => d, StringComparer.Ordinal))
                {
                    var best = work
                        .Where(s => s.Movable && s.CanMoveAway(source) && !s.Replicas.Contains(destination, StringComparer.Ordinal))
                        .Select(s =>
                        {
                            var index = s.Replicas.IndexOf(source);
                            var before = DistinctRacks(s.Replicas);
                            var after = DistinctRacks(s.Replicas.Select((r, j) => j == index ? destination : r));
                            return (Shard: s, Index: index, Before: before, After: after);
                        })
                        .Where(c => c.After >= c.Before)
                        .OrderBy(c => c.Shard.Leader == source ? 1 : 0)
                        .ThenByDescending(c => c.After - c.Before)
                        .Select(c => (ValueTuple<Working, int>?)(c.Shard, c.Index))
                        .FirstOrDefault();
                    if (best is { } found)
                    {
                        return new ReplicaMove(found.Item1, found.Item2, source, destination);
                    }
                }
            }

            return null;
        }

        LeaderMove? FindLeaderMove()
        {
            var byLeaders = nodes.OrderByDescending(n => leaderCounts[n]).ThenBy(n => n, StringComparer.Ordinal).ToList();
            foreach (var source in byLeaders)
            {
                foreach (var destination in Enumerable.Reverse(byLeaders).Where(d => leaderCounts[source] - leaderCounts[d] >= 2).OrderBy(d => leaderCounts[d]).ThenBy(d => d, StringComparer.Ordinal))
                {
                    var shard = work
                        .Where(s => s.Movable && s.Leader == source && s.Replicas.Contains(destination, StringComparer.Ordinal))
                        .OrderBy(s => s.ReplicasChanged ? 0 : 1)
                        .FirstOrDefault();
                    if (shard is not null)
                    {
                        return new LeaderMove(shard, destination);
                    }
                }
            }

            return null;
        }
    }

    private sealed record ReplicaMove(Working Shard, int Index, string Source, string Destination);

    private sealed record LeaderMove(Working Shard, string Destination);

    /// <summary>A shard's replicas and leader as the plan changes them.</summary>
    private sealed class Working(RebalanceShard shard, bool movable)
    {
        private readonly HashSet<string> _moved = new(StringComparer.Ordinal);

        public RebalanceShard Original { get; } = shard;

        /// <summary>False for a shard without a live leader: it cannot catch new replicas up.</summary>
        public bool Movable { get; } = movable;

        public List<string> Replicas { get; } = [.. shard.Replicas];

        public string? Leader { get; set; } = shard.Leader;

        public bool ReplicasChanged => !Replicas.Order(StringComparer.Ordinal).SequenceEqual(Original.Replicas.Order(StringComparer.Ordinal), StringComparer.Ordinal);

        public bool Changed => Movable && (ReplicasChanged || Leader != Original.Leader);

        /// <summary>True for one of the shard's original replicas on <paramref name="node"/>: a replica this plan placed never moves again.</summary>
        public bool CanMoveAway(string node) => Replicas.Contains(node, StringComparer.Ordinal) && !_moved.Contains(node);

        public void Replace(int index, string node)
        {
            Replicas[index] = node;
            _moved.Add(node);
        }

        /// <summary>The move: the intended leader first, then the other replicas in their order (a new replica where the one it replaces was).</summary>
        public RebalanceMove ToMove() =>
            new(Original.StreamId, Original.ShardIndex, Original.Replicas, Original.Leader, [Leader!, .. Replicas.Where(r => r != Leader)]);
    }
}
