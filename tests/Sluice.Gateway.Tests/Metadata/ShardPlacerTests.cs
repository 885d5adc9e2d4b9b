using Sluice.Metadata.Internal;

namespace Sluice.Gateway.Tests.Metadata;

public sealed class ShardPlacerTests
{
    private static readonly Dictionary<string, int> NoLoad = [];

    [Fact]
    public void Followers_go_to_racks_the_shard_does_not_use_yet()
    {
        // Two nodes in rack r1, one each in r2 and r3: with RF 3 no shard has two replicas in r1.
        var placer = new ShardPlacer([new("a", "r1"), new("b", "r1"), new("c", "r2"), new("d", "r3")], NoLoad);
        for (var i = 0; i < 8; i++)
        {
            var replicas = placer.Place(3);
            Assert.Equal(3, replicas.Distinct().Count());
            Assert.True(replicas.Count(r => r is "a" or "b") <= 1, string.Join(",", replicas));
        }
    }

    [Fact]
    public void With_fewer_racks_than_replicas_racks_repeat_only_when_they_must()
    {
        var placer = new ShardPlacer([new("a", "r1"), new("b", "r1"), new("c", "r2"), new("d", "r2")], NoLoad);
        var replicas = placer.Place(3);
        Assert.Equal(3, replicas.Distinct().Count());
        Assert.Contains(replicas, r => r is "a" or "b");
        Assert.Contains(replicas, r => r is "c" or "d");
    }

    [Fact]
    public void Placement_is_deterministic_and_balances_leaders_and_replicas()
    {
        PlacementNode[] nodes = [new("n3", null), new("n1", null), new("n2", null)];
        var first = new ShardPlacer(nodes, NoLoad);
        var second = new ShardPlacer([.. nodes.Reverse()], NoLoad);
        var placements = Enumerable.Range(0, 6).Select(_ => first.Place(2)).ToList();
        Assert.Equal(placements, Enumerable.Range(0, 6).Select(_ => second.Place(2)));
        Assert.All(placements.GroupBy(p => p[0]), g => Assert.Equal(2, g.Count()));
        Assert.All(placements.SelectMany(p => p).GroupBy(n => n), g => Assert.Equal(4, g.Count()));
    }

    [Fact]
    public void Nodes_without_racks_are_placed_by_load_alone()
    {
        var placer = new ShardPlacer([new("a", null), new("b", null), new("c", null)], new Dictionary<string, int> { ["a"] = 5 });
        Assert.Equal(["b", "c", "a"], placer.Place(3));
    }

    [Fact]
    public void More_replicas_than_nodes_is_refused()
    {
        var placer = new ShardPlacer([new("a", null)], NoLoad);
        Assert.Throws<ArgumentOutOfRangeException>(() => placer.Place(2));
    }
}
