namespace Sluice.Metadata.Model;

/// <summary>
/// One shard of a stream: its hash-key range, lineage, and replica placement. The leader, leader
/// epoch and ISR are the partition state that replication changes by compare-and-set.
/// </summary>
public sealed class ShardDefinition
{
    public long StreamId { get; set; }

    /// <summary>Dense index within the stream; the shard id is <c>shardId-{index:D12}</c>.</summary>
    public int ShardIndex { get; set; }

    /// <summary>Inclusive start of the 128-bit hash-key range, as a decimal string.</summary>
    public required string StartingHashKey { get; set; }

    /// <summary>Inclusive end of the 128-bit hash-key range, as a decimal string.</summary>
    public required string EndingHashKey { get; set; }

    public int? ParentShardIndex { get; set; }

    public int? AdjacentParentShardIndex { get; set; }

    public ShardState State { get; set; }

    /// <summary>
    /// For a closed shard, its log end offset once sealed (one past its last record; 0 when it never
    /// got one); null while the shard is open, and for a closed shard whose leader has not yet
    /// confirmed the end of its log (the seal is retried until it does).
    /// </summary>
    public long? EndingOffset { get; set; }

    /// <summary>Storage nodes holding a replica, the preferred leader first.</summary>
    public string[] Replicas { get; set; } = [];

    /// <summary>In-sync replicas.</summary>
    public string[] Isr { get; set; } = [];

    /// <summary>
    /// Parallel to <see cref="Isr"/>: the node epoch each member had when it joined the ISR. A member
    /// whose node has restarted since (another epoch now) may have lost unflushed state and is no
    /// longer counted as in sync.
    /// </summary>
    public long[] IsrNodeEpochs { get; set; } = [];

    /// <summary>
    /// While a reassignment is under way (a rebalance moving replicas, KIP-455 style), the replica set
    /// the shard is moving to, its intended leader first; null otherwise. <see cref="Replicas"/> then
    /// holds the old replicas and the new ones, so the new ones follow and catch up; the controller
    /// replaces <see cref="Replicas"/> with this once every target replica is in sync.
    /// </summary>
    public string[]? TargetReplicas { get; set; }

    public string? LeaderNodeId { get; set; }

    /// <summary>Incremented on every change of leader; storage nodes fence requests of older epochs.</summary>
    public int LeaderEpoch { get; set; }

    /// <summary>Incremented on every change of the partition state (leader or ISR).</summary>
    public int PartitionEpoch { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public StreamDefinition? Stream { get; set; }
}
