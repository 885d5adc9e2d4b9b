namespace Sluice.StorageNode.Internal;

/// <summary>One batch an idempotent producer appended to a shard, as the leader remembers it to answer a retry.</summary>
/// <param name="Sequence">The producer's sequence number of the call that wrote the batch.</param>
/// <param name="BaseOffset">Offset of the batch's first record.</param>
/// <param name="RecordCount">Records in the batch.</param>
/// <param name="TimestampMs">The batch's timestamp (unix ms).</param>
internal readonly record struct ProducerBatchEntry(int Sequence, long BaseOffset, int RecordCount, long TimestampMs)
{
    /// <summary>One past the batch's last offset: what the high watermark must reach for the batch to be committed.</summary>
    public long EndOffset => BaseOffset + RecordCount;
}
