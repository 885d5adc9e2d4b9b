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

    /// <summary>Merges <paramref name="lower"/> with <paramref name="upper"/>, which starts right after it, into one child.</summary>
    public static ReshardStep Merge(PlannedShard lower, PlannedShard upper, int nextIndex)
    {
        if (lower.Range.End == UInt128.MaxValue || lower.Range.End + 1 != upper.Range.Start)
        {
            throw new ArgumentException($"Shards {lower.Index} and {upper.Index} are not adjacent.", nameof(upper));
        }

        return new ReshardStep(lower, upper, [new PlannedShard(nextIndex, new HashKeyRange(lower.Range.Start, upper.Range.End))]);
    }
}
