namespace Sluice.Core;

/// <summary>
/// One split or merge of a resharding: <see cref="Parent"/> (and, for a merge,
/// <see cref="AdjacentParent"/>, the shard right above it in hash-key order) close, and
/// <see cref="Children"/> open in their place with the next shard indexes.
/// </summary>
public sealed record ReshardStep(PlannedShard Parent, PlannedShard? AdjacentParent, IReadOnlyList<PlannedShard> Children)
{
    /// <summary>True for a merge of two adjacent shards into one; false for a split of one into two.</summary>
    public bool IsMerge => AdjacentParent is not null;

    /// <summary>Splits <paramref name="parent"/> at <paramref name="newStartingHashKey"/> into children numbered from <paramref name="nextIndex"/>.</summary>
    public static ReshardStep Split(PlannedShard parent, UInt128 newStartingHashKey, int nextIndex)
    {
        if (newStartingHashKey <= parent.Range.Start || newStartingHashKey > parent.Range.End)
        {
            throw new ArgumentOutOfRangeException(nameof(newStartingHashKey), HashKey.Format(newStartingHashKey),
                $"The split point must be above the start of shard {parent.Index}'s range and not above its end.");
        }

        return new ReshardStep(parent, null,
        [
            new PlannedShard(nextIndex, new HashKeyRange(parent.Range.Start, newStartingHashKey - 1)),
            new PlannedShard(nextIndex + 1, new HashKeyRange(newStartingHashKey, parent.Range.End)),
        ]);
    }

    /// <summary>
    /// Merges <paramref name="parent"/> with <paramref name="adjacent"/>, whose range borders it
    /// above or below, into one child that covers both.
    /// </summary>
    public static ReshardStep Merge(PlannedShard parent, PlannedShard adjacent, int nextIndex)
    {
        var (lower, upper) = parent.Range.Start < adjacent.Range.Start ? (parent, adjacent) : (adjacent, parent);
        if (lower.Range.End == UInt128.MaxValue || lower.Range.End + 1 != upper.Range.Start)
        {
            throw new ArgumentException($"Shards {parent.Index} and {adjacent.Index} are not adjacent.", nameof(adjacent));
        }

        return new ReshardStep(parent, adjacent, [new PlannedShard(nextIndex, new HashKeyRange(lower.Range.Start, upper.Range.End))]);
    }
}
