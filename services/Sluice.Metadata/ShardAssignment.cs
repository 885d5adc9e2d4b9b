using Sluice.Metadata.Model;

namespace Sluice.Metadata;

/// <summary>
/// Where a shard lives and who leads it, as a storage node or gateway needs to know. A closed shard
/// (after a split or merge) takes no more appends; its records stay readable. The init properties
/// carry the partition state replication works from: the ISR (with each member's node epoch as of
/// joining), the partition epoch every ISR or leader change bumps, and the stream's replication
/// settings.
/// </summary>
public sealed record ShardAssignment(long StreamId, int ShardIndex, string? LeaderNodeId, int LeaderEpoch, string[] Replicas, int RetentionHours, bool IsClosed = false)
{
    /// <summary>In-sync replicas; parallel to <see cref="IsrNodeEpochs"/>.</summary>
    public string[] Isr { get; init; } = [];

    /// <summary>The node epoch each ISR member had when it joined the ISR.</summary>
    public long[] IsrNodeEpochs { get; init; } = [];

    /// <summary>Bumped by every change of leader or ISR; the expected value of the next compare-and-set.</summary>
    public int PartitionEpoch { get; init; }

    /// <summary>The stream's min in-sync replicas for <see cref="AckMode.All"/> writes.</summary>
    public int MinInSyncReplicas { get; init; } = 1;

    /// <summary>The stream's acknowledgement mode for writes that do not name one.</summary>
    public AckMode DefaultAcks { get; init; } = AckMode.All;

    /// <summary>The stream's replication factor.</summary>
    public int ReplicationFactor { get; init; } = 1;

    /// <summary>Whether new records of the stream are encrypted at rest.</summary>
    public StreamEncryption Encryption { get; init; } = StreamEncryption.None;

    /// <summary>
    /// The stream's data key wrapped by the master key (<see cref="StreamDataKeys"/>); null until encryption was first
    /// started, kept after it stops so that the records written meanwhile stay readable.
    /// </summary>
    public byte[]? EncryptedDataKey { get; init; }
}
