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
}
