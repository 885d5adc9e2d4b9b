using Sluice.Controller.Internal;
using Sluice.Metadata;

namespace Sluice.Controller.Tests;

public sealed class ReassignmentRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static readonly NodeSnapshot[] Nodes = [new("a", 1, T0), new("b", 1, T0), new("c", 1, T0), new("d", 1, T0)];

    private static readonly HashSet<string> AllLive = ["a", "b", "c", "d"];

    private static PartitionView Shard(string? leader, string[] replicas, string[]? target, string[] isr, int minIsr = 2) =>
        new(7, 0, leader, LeaderEpoch: 4, PartitionEpoch: 9, replicas, [.. isr.Select(m => new IsrMember(m, 1))], target, minIsr);

    private static ReassignmentStep? DecideOne(PartitionView shard, IReadOnlySet<string>? live = null, NodeSnapshot[]? nodes = null) =>
        ReassignmentRules.Decide(nodes ?? Nodes, live ?? AllLive, [shard]).SingleOrDefault();

    [Fact]
    public void A_shard_without_a_target_is_left_alone()
    {
        Assert.Null(DecideOne(Shard("a", ["a", "b", "c"], null, ["a", "b", "c"])));
    }

    [Fact]
    public void Nothing_happens_while_a_new_replica_is_still_catching_up()
    {
        Assert.Null(DecideOne(Shard("a", ["a", "b", "c", "d"], ["a", "b", "d"], ["a", "b", "c"])));
    }

    [Fact]
    public void Once_the_new_replica_is_in_sync_the_old_one_leaves_the_replicas_and_the_isr()
    {
        var shard = Shard("a", ["a", "b", "c", "d"], ["a", "b", "d"], ["a", "b", "c", "d"]);
        var step = DecideOne(shard);
        Assert.NotNull(step);
        Assert.Equal(ReassignmentStepKind.Complete, step.Kind);
        Assert.Equal("a", step.NewLeader);
        Assert.Equal(["a", "b", "d"], step.NewReplicas);
        Assert.Equal(["a", "b", "d"], step.NewIsr.Select(m => m.NodeId));
        Assert.Same(shard, step.Shard);
    }

    [Fact]
    public void A_leader_being_removed_first_hands_leadership_to_the_targets_first_replica_with_the_isr_unchanged()
    {
        var shard = Shard("a", ["a", "b", "c", "d"], ["d", "b", "c"], ["a", "b", "c", "d"]);
        var step = DecideOne(shard);
        Assert.NotNull(step);
        Assert.Equal(ReassignmentStepKind.MoveLeader, step.Kind);
        Assert.Equal("d", step.NewLeader);
        Assert.Equal(shard.Isr, step.NewIsr);
    }

    [Fact]
    public void After_the_leader_moved_the_old_leader_is_removed()
    {
        var step = DecideOne(Shard("d", ["a", "b", "c", "d"], ["d", "b", "c"], ["a", "b", "c", "d"]));
        Assert.NotNull(step);
        Assert.Equal(ReassignmentStepKind.Complete, step.Kind);
        Assert.Equal(["b", "c", "d"], step.NewIsr.Select(m => m.NodeId).Order());
        Assert.DoesNotContain("a", step.NewReplicas);
    }

    [Fact]
    public void A_leadership_only_move_elects_the_preferred_leader_then_reorders_the_replicas()
    {
        var move = DecideOne(Shard("a", ["a", "b", "c"], ["b", "a", "c"], ["a", "b", "c"]));
        Assert.Equal(ReassignmentStepKind.MoveLeader, move?.Kind);
        Assert.Equal("b", move?.NewLeader);
        var complete = DecideOne(Shard("b", ["a", "b", "c"], ["b", "a", "c"], ["a", "b", "c"]));
        Assert.NotNull(complete);
        Assert.Equal(ReassignmentStepKind.Complete, complete.Kind);
        Assert.Equal(["b", "a", "c"], complete.NewReplicas);
    }

    [Fact]
    public void A_dead_target_replica_holds_the_reassignment_even_if_still_listed_in_the_isr()
    {
        Assert.Null(DecideOne(Shard("a", ["a", "b", "c", "d"], ["d", "b", "c"], ["a", "b", "c", "d"]), live: new HashSet<string> { "a", "b", "c" }));
    }

    [Fact]
    public void A_restarted_target_replica_is_not_in_sync_and_is_never_made_leader()
    {
        NodeSnapshot[] nodes = [new("a", 1, T0), new("b", 1, T0), new("c", 1, T0), new("d", 2, T0)];
        Assert.Null(DecideOne(Shard("a", ["a", "b", "c", "d"], ["d", "b", "c"], ["a", "b", "c", "d"]), nodes: nodes));
    }

    [Fact]
    public void Nothing_happens_without_a_live_in_sync_leader()
    {
        Assert.Null(DecideOne(Shard(null, ["a", "b", "c", "d"], ["a", "b", "d"], ["a", "b", "c", "d"])));
        Assert.Null(DecideOne(Shard("c", ["a", "b", "c", "d"], ["a", "b", "d"], ["a", "b", "c", "d"]), live: new HashSet<string> { "a", "b", "d" }));
    }

    [Fact]
    public void Never_completes_below_the_min_in_sync_replicas()
    {
        Assert.Null(DecideOne(Shard("a", ["a", "b", "c"], ["a", "b"], ["a", "b", "c"], minIsr: 3)));
    }

    [Fact]
    public void The_new_leader_is_always_a_live_in_sync_member_of_the_target()
    {
        string[][] targets = [["d", "b", "c"], ["b", "d", "c"], ["c", "d", "b"], ["a", "b", "d"]];
        foreach (var target in targets)
        {
            var step = DecideOne(Shard("a", ["a", "b", "c", "d"], target, ["a", "b", "c", "d"]));
            Assert.NotNull(step);
            Assert.Contains(step.NewLeader, target);
            Assert.Contains(step.NewLeader, step.NewIsr.Select(m => m.NodeId));
            Assert.True(step.NewIsr.Length >= 2);
        }
    }
}
