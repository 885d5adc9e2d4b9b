namespace Sluice.Log;

/// <summary>The header fields of one stored batch, as read by <see cref="PartitionLog.ReadBatchSummariesAsync"/>.</summary>
/// <param name="BaseOffset">Offset of the batch's first record.</param>
/// <param name="RecordCount">Records in the batch.</param>
/// <param name="LeaderEpoch">Leader epoch the batch was written in.</param>
/// <param name="ProducerId">Idempotent producer id, -1 for none.</param>
/// <param name="ProducerEpoch">Producer epoch, -1 for none.</param>
/// <param name="BaseSequence">Sequence number of the first record, -1 for none.</param>
/// <param name="MaxTimestamp">Newest timestamp (unix ms) in the batch.</param>
public readonly record struct BatchSummary(
    long BaseOffset, int RecordCount, int LeaderEpoch, long ProducerId, short ProducerEpoch, int BaseSequence, long MaxTimestamp)
{
    /// <summary>One past the batch's last offset.</summary>
    public long NextOffset => BaseOffset + RecordCount;
}
