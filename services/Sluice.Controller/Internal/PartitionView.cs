using Sluice.Metadata;

namespace Sluice.Controller.Internal;

/// <summary>
/// A shard's partition state as one tick read it: what a compare-and-set expects. <see cref="TargetReplicas"/> is
/// the replica set a reassignment is moving it to (null: none under way); <see cref="MinInSyncReplicas"/> its stream's.
/// </summary>
internal sealed record PartitionView(
    long StreamId, int ShardIndex, string? Leader, int LeaderEpoch, int PartitionEpoch, string[] Replicas, IsrMember[] Isr,
    string[]? TargetReplicas = null, int MinInSyncReplicas = 1)
{
    /// <summary>Pairs the parallel ISR columns; an epoch missing from a row (never expected) reads as 0, which no node has.</summary>
    public static IsrMember[] Pair(string[] isr, long[] epochs) =>
        [.. isr.Select((id, i) => new IsrMember(id, i < epochs.Length ? epochs[i] : 0))];

    public override string ToString() => FormattableString.Invariant($"{StreamId}/{ShardIndex}");
}
