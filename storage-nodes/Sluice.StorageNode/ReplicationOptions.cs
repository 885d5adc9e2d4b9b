using System.ComponentModel.DataAnnotations;

namespace Sluice.StorageNode;

/// <summary>Replication timings of a node, bound from <c>Sluice:Replication</c>.</summary>
public sealed record ReplicationOptions
{
    public const string Section = "Sluice:Replication";

    /// <summary>
    /// A follower that has not caught up to the leader's log end for this long leaves the ISR (Kafka's
    /// <c>replica.lag.time.max.ms</c>); it rejoins once it has caught up to the high watermark.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReplicaLagTimeMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a leader holds a follower's fetch when no shard has anything new.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan FetchMaxWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Bound on one fetch answer; each shard still gets at least one whole batch.</summary>
    [Range(64 * 1024, 15 * 1024 * 1024)]
    public int FetchMaxBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Bound on one shard's part of a fetch answer.</summary>
    [Range(64 * 1024, 15 * 1024 * 1024)]
    public int FetchMaxBytesPerShard { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// How long an acks=all append waits for the in-sync replicas before it is answered with a retriable
    /// <c>replication-timeout</c> (its records may or may not be committed later). Below the gateway's storage call
    /// timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How often the node re-reads its replica assignments (notifications make it react at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan RoleSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many of a shard's last batches a node reads (headers only) when it becomes the shard's leader, to rebuild
    /// the idempotent producers' last five batches before its first append. 10,000 covers every producer whose five
    /// last batches are among them (at least the 2,000 latest producers of a shard) in a few milliseconds of reading;
    /// a retry after a failover of a call older than that is written again.
    /// </summary>
    [Range(100, 1_000_000)]
    public int ProducerStateRebuildBatches { get; init; } = 10_000;

    /// <summary>
    /// The most idempotent producers a shard's leader keeps state for; beyond it the producer that wrote least
    /// recently is forgotten.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxProducersPerShard { get; init; } = 10_000;
}
