namespace Sluice.Controller.Tests;

public sealed class RebalancePlannerTests
{
    private static RebalanceNode[] Nodes(params string[] ids) => [.. ids.Select(id => new RebalanceNode(id, null))];

    /// <summary><paramref name="count"/> shards of RF 3 over a, b, c, leaders rotating: what a 3-node cluster places.</summary>
    private static List<RebalanceShard> ThreeNodeShards(int count)
    {
        string[] nodes = ["a", "b", "c"];
        return [.. Enumerable.Range(0, count).Select(i => new RebalanceShard(1, i, [nodes[i % 3], nodes[(i + 1) % 3], nodes[(i + 2) % 3]], nodes[i % 3]))];
    }

    private static Dictionary<string, int> Apply(IReadOnlyList<RebalanceShard> shards, IReadOnlyList<RebalanceMove> moves, bool leaders)
    {
        var byShard = moves.ToDictionary(m => (m.StreamId, m.ShardIndex));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            var move = byShard.GetValueOrDefault((shard.StreamId, shard.ShardIndex));
            var replicas = move?.TargetReplicas ?? shard.Replicas;
            var leader = move?.TargetLeader ?? shard.Leader;
            foreach (var node in leaders ? (leader is null ? [] : [leader]) : replicas)
            {
                counts[node] = counts.GetValueOrDefault(node) + 1;
            }
        }

        return counts;
    }

    [Fact]
    public void A_balanced_cluster_needs_no_moves()
    {
        Assert.Empty(RebalancePlanner.Plan(Nodes("a", "b", "c"), ThreeNodeShards(6)));
    }

    [Fact]
    public void A_new_node_gets_its_share_of_replicas_and_leaders_with_the_fewest_moves()
    {
        var shards = ThreeNodeShards(8);
        var moves = RebalancePlanner.Plan(Nodes("a", "b", "c", "d"), shards);

        // 24 replicas over 4 nodes: 6 each, so exactly 6 replicas move onto d and no more.
        var replicas = Apply(shards, moves, leaders: false);
        Assert.All(new[] { "a", "b", "c", "d" }, n => Assert.Equal(6, replicas[n]));
        Assert.Equal(6, moves.Sum(m => m.Adding.Count()));
        Assert.All(moves, m => Assert.All(m.Adding, a => Assert.Equal("d", a)));

        var leaders = Apply(shards, moves, leaders: true);
        Assert.Equal(2, leaders["d"]);
        Assert.True(leaders.Values.Max() - leaders.Values.Min() <= 1, string.Join(", ", leaders));
    }

    [Fact]
    public void Every_move_keeps_the_replication_factor_distinct_nodes_and_the_intended_leader_first()
    {
        var shards = ThreeNodeShards(9);
        foreach (var move in RebalancePlanner.Plan(Nodes("a", "b", "c", "d", "e"), shards))
        {
            Assert.Equal(move.Replicas.Count, move.TargetReplicas.Count);
            Assert.Equal(move.TargetReplicas.Count, move.TargetReplicas.Distinct().Count());
            Assert.Equal(move.TargetReplicas[0], move.TargetLeader);
            Assert.True(move.Adding.Count() <= 1 || move.Adding.Count() == move.Removing.Count());
        }
    }

    [Fact]
    public void The_plan_is_deterministic_whatever_the_input_order()
    {
        var shards = ThreeNodeShards(10);
        var first = RebalancePlanner.Plan(Nodes("a", "b", "c", "d"), shards);
        var second = RebalancePlanner.Plan(Nodes("d", "c", "b", "a"), [.. Enumerable.Reverse(shards)]);
        Assert.Equal(first.Select(Describe), second.Select(Describe));

        static string Describe(RebalanceMove m) => $"{m.StreamId}/{m.ShardIndex}:{string.Join(",", m.TargetReplicas)}";
    }

    [Fact]
    public void Replicas_on_a_node_that_is_not_live_move_to_live_ones()
    {
        RebalanceShard[] shards = [new(1, 0, ["a", "x"], "a"), new(1, 1, ["b", "x"], "b")];
        var moves = RebalancePlanner.Plan(Nodes("a", "b", "c"), shards);
        Assert.All(moves, m => Assert.DoesNotContain("x", m.TargetReplicas));
        Assert.Equal(2, moves.Count);
    }

    [Fact]
    public void A_shard_without_a_live_leader_is_never_moved()
    {
        RebalanceShard[] shards = [new(1, 0, ["a", "b"], null), new(1, 1, ["a", "b"], "x"), new(1, 2, ["a", "b"], "a")];
        var moves = RebalancePlanner.Plan(Nodes("a", "b", "c", "d"), shards);
        Assert.All(moves, m => Assert.Equal(2, m.ShardIndex));
    }

    [Fact]
    public void Followers_move_before_leaders()
    {
        // One move evens this out (a has 2, c has 0); the follower on a moves, not the leader.
        RebalanceShard[] shards = [new(1, 0, ["a", "b"], "a"), new(1, 1, ["b", "a"], "b")];
        var move = Assert.Single(RebalancePlanner.Plan(Nodes("a", "b", "c"), shards), m => m.Adding.Any());
        Assert.Equal(1, move.ShardIndex);
        Assert.Equal("b", move.TargetLeader);
    }

    [Fact]
    public void Moves_never_reduce_a_shards_rack_spread()
    {
        RebalanceNode[] nodes = [new("a", "r1"), new("b", "r2"), new("c", "r3"), new("d", "r1")];
        var shards = Enumerable.Range(0, 6).Select(i => new RebalanceShard(1, i, i % 2 == 0 ? ["a", "b", "c"] : ["b", "c", "a"], i % 2 == 0 ? "a" : "b")).ToList();
        var racks = nodes.ToDictionary(n => n.Id, n => n.Rack);
        var moves = RebalancePlanner.Plan(nodes, shards);
        Assert.NotEmpty(moves);
        Assert.All(moves, m => Assert.Equal(3, m.TargetReplicas.Select(r => racks[r]).Distinct().Count()));

        // d (rack r1) can only take replicas from a (also r1) without losing a rack.
        Assert.All(moves.Where(m => m.Adding.Contains("d")), m => Assert.Contains("a", m.Removing));
    }

    [Fact]
    public void Leaders_are_evened_out_by_moving_leadership_without_moving_data()
    {
        var shards = Enumerable.Range(0, 6).Select(i => new RebalanceShard(1, i, ["a", "b", "c"], "a")).ToList();
        var moves = RebalancePlanner.Plan(Nodes("a", "b", "c"), shards);
        Assert.All(moves, m => Assert.Empty(m.Adding));
        Assert.Equal(4, moves.Count);
        var leaders = Apply(shards, moves, leaders: true);
        Assert.All(new[] { "a", "b", "c" }, n => Assert.Equal(2, leaders[n]));
    }

    [Fact]
    public void No_live_nodes_plan_nothing()
    {
        Assert.Empty(RebalancePlanner.Plan([], ThreeNodeShards(3)));
    }
}
