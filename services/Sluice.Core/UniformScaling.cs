namespace Sluice.Core;

/// <summary>
/// Kinesis' UpdateShardCount with UNIFORM_SCALING as a sequence of merges and splits: the open
/// shards end up covering the hash-key space in <c>target</c> equal ranges (the ranges a new stream
/// of that many shards gets), and every shard made on the way has one parent (split) or a parent
/// and an adjacent parent (merge), so readers follow the lineage as after any split or merge.
/// </summary>
/// <remarks>
/// Each step moves exactly one range boundary: a merge removes a boundary the target does not
/// have, a split adds one it lacks. That is the fewest steps possible. Merges go first, so the
/// number of open shards never goes above the larger of the current and the target count; a shard
/// a merge makes may be split again later in the plan (Kinesis' "short-lived shards").
/// </remarks>
public static class UniformScaling
{
    /// <summary>
    /// The steps that take <paramref name="open"/> (the open shards, which must tile the whole
    /// hash-key space) to <paramref name="target"/> uniform shards; new shards are numbered from
    /// <paramref name="nextIndex"/> in step order, a split's lower child first.
    /// </summary>
    public static IReadOnlyList<ReshardStep> Plan(IReadOnlyList<PlannedShard> open, int target, int nextIndex)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 1);
        var shards = open.OrderBy(s => s.Range.Start).ToList();
        RequireTiling(shards);

        var current = new SortedSet<UInt128>(shards.Skip(1).Select(s => s.Range.Start));
        var wanted = new SortedSet<UInt128>(HashKeyRange.Split(target).Skip(1).Select(r => r.Start));
        var steps = new List<ReshardStep>();

        foreach (var boundary in current.Where(b => !wanted.Contains(b)))
        {
            var upper = shards.FindIndex(s => s.Range.Start == boundary);
            var step = ReshardStep.Merge(shards[upper - 1], shards[upper], nextIndex);
            nextIndex += step.Children.Count;
            shards[upper - 1] = step.Children[0];
            shards.RemoveAt(upper);
            steps.Add(step);
        }

        foreach (var boundary in wanted.Where(b => !current.Contains(b)))
        {
            var at = shards.FindIndex(s => s.Range.Start < boundary && boundary <= s.Range.End);
            var step = ReshardStep.Split(shards[at], boundary, nextIndex);
            nextIndex += step.Children.Count;
            shards[at] = step.Children[0];
            shards.Insert(at + 1, step.Children[1]);
            steps.Add(step);
        }

        return steps;
    }

    private static void RequireTiling(List<PlannedShard> sorted)
    {
        if (sorted.Count == 0 || sorted[0].Range.Start != UInt128.Zero || sorted[^1].Range.End != UInt128.MaxValue)
        {
            throw new ArgumentException("The open shards must cover the whole hash-key space.", nameof(sorted));
        }

        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i - 1].Range.End == UInt128.MaxValue || sorted[i - 1].Range.End + 1 != sorted[i].Range.Start)
            {
                throw new ArgumentException(
                    $"The open shards must tile the hash-key space: shard {sorted[i - 1].Index} ends at {HashKey.Format(sorted[i - 1].Range.End)}, shard {sorted[i].Index} starts at {HashKey.Format(sorted[i].Range.Start)}.",
                    nameof(sorted));
            }
        }
    }
}
