namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>The ways a history can break the guarantees of a replicated log.</summary>
public enum ViolationKind
{
    /// <summary>An acknowledged value is not in the consumer's read.</summary>
    AcknowledgedMissing,

    /// <summary>A value was read more than once (in one shard or across shards).</summary>
    ReadTwice,

    /// <summary>Within a shard, acknowledged values were read out of the order of their acknowledged sequence numbers, or sequence numbers went backwards.</summary>
    OrderDiffers,

    /// <summary>An acknowledged value was read in another shard or at another sequence number than acknowledged.</summary>
    AcknowledgedMoved,

    /// <summary>A value was read that the producer never sent.</summary>
    NeverWritten,

    /// <summary>Replicas of a shard hold different records (or an in-sync one lacks records) below the high watermark.</summary>
    ReplicasDiffer,

    /// <summary>A shard's high watermark went down between two samples.</summary>
    HighWatermarkBackwards,
}
