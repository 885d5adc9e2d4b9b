namespace Sluice.Core.Tests;

public sealed class UniformScalingTests
{
    private static readonly UInt128 Half = UInt128.One << 127;

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(3, 5)]
    [InlineData(4, 6)]
    [InlineData(16, 8)]
    [InlineData(5, 10)]
    [InlineData(7, 4)]
    [InlineData(4, 4)]
    public void Plan_ends_with_target_uniform_shards_through_valid_splits_and_merges(int from, int to)
    {
        var open = Uniform(from);
        var steps = UniformScaling.Plan(open, to, nextIndex: from);

        var final = Replay(open, steps, from, out var peak);

        Assert.Equal(HashKeyRange.Split(to), final.OrderBy(s => s.Range.Start).Select(s => s.Range));
        Assert.True(peak <= Math.Max(from, to), $"{peak} open shards on the way from {from} to {to}");
        // One step per boundary that moves: the fewest a plan can have.
        var current = HashKeyRange.Split(from).Select(r => r.Start).ToHashSet();
        var wanted = HashKeyRange.Split(to).Select(r => r.Start).ToHashSet();
        Assert.Equal(current.Except(wanted).Count() + wanted.Except(current).Count(), steps.Count);
    }

    [Fact]
    public void One_to_two_is_one_split_in_the_middle()
    {
        var step = Assert.Single(UniformScaling.Plan(Uniform(1), 2, nextIndex: 1));

        Assert.False(step.IsMerge);
        Assert.Equal(0, step.Parent.Index);
        Assert.Equal([new PlannedShard(1, new(UInt128.Zero, Half - 1)), new PlannedShard(2, new(Half, UInt128.MaxValue))], step.Children);
    }

    [Fact]
    public void Two_to_one_is_one_merge_of_the_lower_shard_with_its_upper_neighbour()
    {
        var step = Assert.Single(UniformScaling.Plan(Uniform(2), 1, nextIndex: 2));

        Assert.True(step.IsMerge);
        Assert.Equal(0, step.Parent.Index);
        Assert.Equal(1, step.AdjacentParent!.Value.Index);
        Assert.Equal([new PlannedShard(2, HashKeyRange.Full)], step.Children);
    }

    [Fact]
    public void Sixteen_to_eight_merges_neighbour_pairs_only()
    {
        var steps = UniformScaling.Plan(Uniform(16), 8, nextIndex: 16);

        Assert.Equal(8, steps.Count);
        Assert.All(steps, s => Assert.True(s.IsMerge));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (2 * i, (2 * i) + 1)), steps.Select(s => (s.Parent.Index, s.AdjacentParent!.Value.Index)));
        Assert.Equal(Enumerable.Range(16, 8), steps.Select(s => Assert.Single(s.Children).Index));
    }

    [Fact]
    public void Five_to_ten_splits_every_shard_once_and_merges_nothing()
    {
        var steps = UniformScaling.Plan(Uniform(5), 10, nextIndex: 5);

        Assert.Equal(5, steps.Count);
        Assert.All(steps, s => Assert.False(s.IsMerge));
        Assert.Equal(Enumerable.Range(0, 5), steps.Select(s => s.Parent.Index).Order());
    }

    [Fact]
    public void Three_to_five_makes_short_lived_shards_that_later_steps_close()
    {
        var steps = UniformScaling.Plan(Uniform(3), 5, nextIndex: 3);

        var made = steps.SelectMany(s => s.Children).Select(c => c.Index).ToHashSet();
        var closedAgain = steps.Select(s => s.Parent.Index).Concat(steps.Where(s => s.IsMerge).Select(s => s.AdjacentParent!.Value.Index)).Where(made.Contains);
        Assert.NotEmpty(closedAgain);
        Assert.Equal(Enumerable.Range(3, made.Count), made.Order());
    }

    [Fact]
    public void Open_shards_after_a_manual_split_scale_to_uniform_ranges()
    {
        var open = new List<PlannedShard>
        {
            new(1, new(UInt128.Zero, 99)),
            new(2, new(100, UInt128.MaxValue)),
        };

        var steps = UniformScaling.Plan(open, 2, nextIndex: 3);

        Assert.Equal(HashKeyRange.Split(2), Replay(open, steps, 3, out _).OrderBy(s => s.Range.Start).Select(s => s.Range));
    }

    [Fact]
    public void Shards_that_do_not_tile_the_hash_key_space_are_refused()
    {
        var gap = new List<PlannedShard> { new(0, new(UInt128.Zero, 10)), new(1, new(12, UInt128.MaxValue)) };
        var partial = new List<PlannedShard> { new(0, new(UInt128.Zero, Half)) };

        Assert.Throws<ArgumentException>(() => UniformScaling.Plan(gap, 2, 2));
        Assert.Throws<ArgumentException>(() => UniformScaling.Plan(partial, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => UniformScaling.Plan(Uniform(2), 0, 2));
    }

    [Fact]
    public void Split_points_outside_the_parent_and_non_adjacent_merges_are_refused()
    {
        var shard = new PlannedShard(0, new HashKeyRange(10, 20));

        Assert.Throws<ArgumentOutOfRangeException>(() => ReshardStep.Split(shard, 10, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReshardStep.Split(shard, 21, 1));
        Assert.Equal(new HashKeyRange(20, 20), ReshardStep.Split(shard, 20, 1).Children[1].Range);
        Assert.Throws<ArgumentException>(() => ReshardStep.Merge(shard, new PlannedShard(1, new HashKeyRange(22, 30)), 2));
    }

    private static List<PlannedShard> Uniform(int count) =>
        [.. HashKeyRange.Split(count).Select((range, index) => new PlannedShard(index, range))];

    /// <summary>Applies the steps as the catalog would, checking each against the open set.</summary>
    private static List<PlannedShard> Replay(IReadOnlyList<PlannedShard> initial, IReadOnlyList<ReshardStep> steps, int nextIndex, out int peak)
    {
        var open = initial.ToDictionary(s => s.Index);
        peak = open.Count;
        foreach (var step in steps)
        {
            Assert.Equal(step.Parent, open[step.Parent.Index]);
            open.Remove(step.Parent.Index);
            var parentRange = step.Parent.Range;
            if (step.AdjacentParent is { } adjacent)
            {
                Assert.Equal(adjacent, open[adjacent.Index]);
                open.Remove(adjacent.Index);
                Assert.Equal(parentRange.End + 1, adjacent.Range.Start);
                parentRange = new HashKeyRange(parentRange.Start, adjacent.Range.End);
                Assert.Equal(parentRange, Assert.Single(step.Children).Range);
            }
            else
            {
                Assert.Equal(2, step.Children.Count);
                Assert.Equal(parentRange.Start, step.Children[0].Range.Start);
                Assert.Equal(step.Children[0].Range.End + 1, step.Children[1].Range.Start);
                Assert.Equal(parentRange.End, step.Children[1].Range.End);
            }

            foreach (var child in step.Children)
            {
                Assert.Equal(nextIndex++, child.Index);
                open.Add(child.Index, child);
            }

            peak = Math.Max(peak, open.Count);
        }

        return [.. open.Values];
    }
}
