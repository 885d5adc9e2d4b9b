using Sluice.Gateway.Streams;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Tests.Streams;

public sealed class StreamTransitionPlanTests
{
    [Fact]
    public void Creation_asks_each_leader_once_for_every_shard_it_leads_at_its_epoch()
    {
        var stream = Stream(
            Shard(0, "node-2", 1, "node-2", "node-1"),
            Shard(1, "node-1", 3, "node-1", "node-3"),
            Shard(2, "node-2", 2, "node-2", "node-3"));

        var plan = StreamTransitionPlan.ForCreation(stream)!;

        Assert.Equal(["node-1", "node-2"], plan.Select(c => c.NodeId));
        Assert.All(plan, c => Assert.Equal(42, c.Request.StreamId));
        Assert.Equal([(1, 3)], plan[0].Request.Shards.Select(s => (s.ShardIndex, s.LeaderEpoch)));
        Assert.Equal([(0, 1), (2, 2)], plan[1].Request.Shards.Select(s => (s.ShardIndex, s.LeaderEpoch)));
    }

    [Fact]
    public void Creation_cannot_be_planned_while_a_shard_has_no_leader()
    {
        var stream = Stream(Shard(0, "node-1", 1, "node-1"), Shard(1, null, 1, "node-2"));

        Assert.Null(StreamTransitionPlan.ForCreation(stream));
    }

    [Fact]
    public void Deletion_asks_every_node_holding_a_replica_or_the_lead_for_each_of_its_shards_once()
    {
        var stream = Stream(
            Shard(0, "node-1", 1, "node-1", "node-2"),
            Shard(1, "node-3", 1, "node-2"),
            Shard(2, null, 1, "node-2", "node-2"));

        var plan = StreamTransitionPlan.ForDeletion(stream);

        Assert.Equal(["node-1", "node-2", "node-3"], plan.Select(c => c.NodeId));
        Assert.Equal([0], plan[0].Request.ShardIndexes);
        Assert.Equal([0, 1, 2], plan[1].Request.ShardIndexes);
        Assert.Equal([1], plan[2].Request.ShardIndexes);
        Assert.All(plan, c => Assert.Equal(42, c.Request.StreamId));
    }

    [Fact]
    public void Deletion_of_a_stream_without_shards_needs_no_call()
    {
        Assert.Empty(StreamTransitionPlan.ForDeletion(Stream()));
        Assert.Empty(StreamTransitionPlan.ForCreation(Stream())!);
    }

    private static StreamDefinition Stream(params ShardDefinition[] shards) =>
        new() { Id = 42, Name = "s", Status = StreamStatus.Creating, Shards = [.. shards] };

    private static ShardDefinition Shard(int index, string? leader, int epoch, params string[] replicas) => new()
    {
        StreamId = 42,
        ShardIndex = index,
        StartingHashKey = "0",
        EndingHashKey = "1",
        LeaderNodeId = leader,
        LeaderEpoch = epoch,
        Replicas = replicas,
    };
}
