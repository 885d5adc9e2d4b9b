namespace Sluice.Log;

/// <summary>
/// The idempotent-producer fields stamped into a batch header: who wrote the batch and the sequence number of its
/// first record. The log stores them as given; deduplication is the caller's (see
/// <see cref="PartitionLog.ReadBatchSummariesAsync"/> for rebuilding producer state).
/// </summary>
/// <param name="ProducerId">The producer's id, -1 for none.</param>
/// <param name="ProducerEpoch">The producer's epoch, -1 for none.</param>
/// <param name="BaseSequence">Sequence number of the batch's first record, -1 for none.</param>
public readonly record struct ProducerBatch(long ProducerId, short ProducerEpoch, int BaseSequence)
{
    /// <summary>The markers written for an append without an idempotent producer.</summary>
    public static ProducerBatch None { get; } = new(-1, -1, -1);
}
