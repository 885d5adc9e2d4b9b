using Sluice.Controller.Internal;
using Sluice.Metadata;

namespace Sluice.Controller.Tests;

public sealed class ElectionRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private static NodeSnapshot Node(string id, long epoch = 1) => new(id, epoch, T0);

    private static PartitionView Shard(string? leader, string[] replicas, params (string Id, long Epoch)[] isr) =>
        new(7, 0, leader, LeaderEpoch: 4, PartitionEpoch: 9, replicas, [.. isr.Select(m => new IsrMember(m.Id, m.Epoch))]);

    private static readonly string[] Abc = ["a", "b", "c"];

    private static PartitionChange? DecideOne(PartitionView shard, NodeSnapshot[] nodes, params string[] live) =>
        ElectionRules.Decide(nodes, live.ToHashSet(), [shard]).SingleOrDefault();

    private sealed record Case(PartitionView Shard, NodeSnapshot[] Nodes, string[] Live, ChangeKind? Kind, string? Leader, string Isr);

    private static readonly Dictionary<string, Case> Cases = new Dictionary<string, (PartitionView, NodeSnapshot[], string[], ChangeKind?, string?, string)>
    {
        { "all healthy: nothing", (Shard("a", Abc, ("a", 1), ("b", 1), ("c", 1)), [Node("a"), Node("b"), Node("c")], ["a", "b", "c"], null, null, "") },
        { "dead leader: first live ISR replica in replica order, dead one out", (Shard("a", Abc, ("a", 1), ("c", 1), ("b", 1)), [Node("a"), Node("b"), Node("c")], ["b", "c"], ChangeKind.Elect, "b", "c,b") },
        { "restarted leader: clean election, restarted one out", (Shard("a", Abc, ("a", 1), ("b", 1), ("c", 1)), [Node("a", 2), Node("b"), Node("c")], ["a", "b", "c"], ChangeKind.Elect, "b", "b,c") },
        { "replica order preferred over ISR order", (Shard("b", ["c", "a", "b"], ("b", 1), ("a", 1), ("c", 1)), [Node("a"), Node("b"), Node("c")], ["a", "c"], ChangeKind.Elect, "c", "a,c") },
        { "follower outside the ISR is no candidate", (Shard("a", Abc, ("a", 1), ("c", 1)), [Node("a"), Node("b"), Node("c")], ["b", "c"], ChangeKind.Elect, "c", "c") },
        { "no live ISR member: offline, ISR kept", (Shard("a", Abc, ("a", 1), ("b", 1)), [Node("a"), Node("b"), Node("c")], ["c"], ChangeKind.Offline, null, "a,b") },
        { "offline already, still nobody: nothing", (Shard(null, Abc, ("a", 1), ("b", 1)), [Node("a"), Node("b"), Node("c")], ["c"], null, null, "") },
        { "offline, an ISR member back at its epoch: revived cleanly", (Shard(null, Abc, ("a", 1), ("b", 1)), [Node("a"), Node("b"), Node("c")], ["b", "c"], ChangeKind.Elect, "b", "b") },
        { "every node restarted: the first restarted ISR member leads at its new epoch", (Shard(null, Abc, ("a", 1), ("b", 1), ("c", 1)), [Node("a", 2), Node("b", 5), Node("c", 3)], ["a", "b", "c"], ChangeKind.ElectRestarted, "a", "a@2") },
        { "sole ISR member restarted while leading: it leads again at its new epoch", (Shard("a", Abc, ("a", 1)), [Node("a", 2), Node("b"), Node("c")], ["a", "b", "c"], ChangeKind.ElectRestarted, "a", "a@2") },
        { "dead follower leaves the ISR", (Shard("a", Abc, ("a", 1), ("b", 1), ("c", 1)), [Node("a"), Node("b"), Node("c")], ["a", "b"], ChangeKind.ShrinkIsr, "a", "a,b") },
        { "restarted follower leaves the ISR", (Shard("a", Abc, ("a", 1), ("b", 1), ("c", 1)), [Node("a"), Node("b", 2), Node("c")], ["a", "b", "c"], ChangeKind.ShrinkIsr, "a", "a,c") },
        { "ISR of the leader alone stays: never empty", (Shard("a", Abc, ("a", 1)), [Node("a"), Node("b"), Node("c")], ["a"], null, null, "") },
        { "unregistered node is dead", (Shard("a", ["a", "b", "x"], ("a", 1), ("b", 1), ("x", 1)), [Node("a"), Node("b")], ["a", "b", "x"], ChangeKind.ShrinkIsr, "a", "a,b") },
    }.ToDictionary(c => c.Key, c => new Case(c.Value.Item1, c.Value.Item2, c.Value.Item3, c.Value.Item4, c.Value.Item5, c.Value.Item6));

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decides_per_shard(string because)
    {
        var (shard, nodes, live, kind, leader, isr) = Cases[because];
        var change = DecideOne(shard, nodes, live);
        Assert.True(kind == change?.Kind, $"{because}: expected {kind?.ToString() ?? "no change"}, got {change?.Kind.ToString() ?? "no change"}");
        if (change is null)
        {
            return;
        }

        Assert.Equal(leader, change.NewLeader);
        var expected = isr.Split(',').Select(m => m.Split('@')).Select(p => p.Length == 2 ? new IsrMember(p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)) : new IsrMember(p[0], 1));
        Assert.Equal(expected, change.NewIsr);
        Assert.Same(shard, change.Shard);
        Assert.NotEmpty(change.NewIsr);
        if (change.NewLeader is { } newLeader)
        {
            Assert.Contains(change.NewIsr, m => m.NodeId == newLeader);
        }
    }

    [Fact]
    public void A_fresh_controller_judges_nobody_until_it_has_observed_for_a_lease()
    {
        var observations = new NodeObservations(Lease, T0);
        var nodes = new[] { Node("a"), Node("b") };
        observations.Observe(nodes, T0);

        // Heartbeats frozen (as in an outage just ended): within the first lease nobody is dead.
        var early = T0 + Lease - TimeSpan.FromMilliseconds(1);
        observations.Observe(nodes, early);
        Assert.False(observations.CanJudge(early));
        Assert.Equal(["a", "b"], observations.LiveNodes(early).Order());
    }

    [Fact]
    public void A_node_silent_for_a_lease_of_observation_is_dead_and_its_shards_move()
    {
        var observations = new NodeObservations(Lease, T0);
        var shard = Shard("a", Abc, ("a", 1), ("b", 1));
        var now = T0;
        for (var tick = 0; tick <= 16; tick++, now += TimeSpan.FromMilliseconds(250))
        {
            // b heartbeats every tick, a has stopped.
            observations.Observe([Node("a"), new NodeSnapshot("b", 1, now)], now);
        }

        Assert.True(observations.CanJudge(now - TimeSpan.FromMilliseconds(250)));
        var live = observations.LiveNodes(now - TimeSpan.FromMilliseconds(250));
        Assert.Equal(["b"], live);
        var change = Assert.Single(ElectionRules.Decide([Node("a"), Node("b")], live, [shard]));
        Assert.Equal(("b", ChangeKind.Elect), (change.NewLeader, change.Kind));
    }

    [Fact]
    public void No_spurious_election_after_a_gap_in_observation()
    {
        var observations = new NodeObservations(Lease, T0);
        var now = T0;
        for (; now < T0 + Lease + Lease; now += TimeSpan.FromMilliseconds(250))
        {
            observations.Observe([new NodeSnapshot("a", 1, now), new NodeSnapshot("b", 1, now)], now);
        }

        // PostgreSQL was away for 10 s: no heartbeat changed, and neither did the controller observe.
        var frozen = now - TimeSpan.FromMilliseconds(250);
        now += TimeSpan.FromSeconds(10);
        observations.Observe([new NodeSnapshot("a", 1, frozen), new NodeSnapshot("b", 1, frozen)], now);
        Assert.False(observations.CanJudge(now));
        Assert.Empty(ElectionRules.Decide([Node("a"), Node("b")], observations.LiveNodes(now), [Shard("a", Abc, ("a", 1), ("b", 1))]));

        // After the outage the nodes heartbeat again; a lease later both are still live.
        for (var end = now + Lease; now <= end; now += TimeSpan.FromMilliseconds(250))
        {
            observations.Observe([new NodeSnapshot("a", 1, now), new NodeSnapshot("b", 1, now)], now);
        }

        Assert.True(observations.CanJudge(now - TimeSpan.FromMilliseconds(250)));
        Assert.Equal(["a", "b"], observations.LiveNodes(now - TimeSpan.FromMilliseconds(250)).Order());
    }

    [Fact]
    public void A_node_epoch_change_counts_as_a_sign_of_life()
    {
        var observations = new NodeObservations(Lease, T0);
        observations.Observe([Node("a", 1)], T0);
        var now = T0 + Lease + TimeSpan.FromSeconds(1);
        observations.Observe([Node("a", 2)], now - TimeSpan.FromSeconds(1));
        observations.Observe([Node("a", 2)], now);
        Assert.Contains("a", observations.LiveNodes(now));
    }

    [Fact]
    public void Options_refuse_bad_timings()
    {
        Assert.Null(ControllerOptions.Default.Problem());
        Assert.NotNull((ControllerOptions.Default with { TickInterval = TimeSpan.Zero }).Problem());
        Assert.NotNull((ControllerOptions.Default with { NodeLease = TimeSpan.FromMilliseconds(300) }).Problem());
        Assert.NotNull((ControllerOptions.Default with { LockRetryInterval = TimeSpan.FromSeconds(-1) }).Problem());
        Assert.NotNull((ControllerOptions.Default with { Id = new string('x', 41) }).Problem());
    }
}
