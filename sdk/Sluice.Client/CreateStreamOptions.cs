namespace Sluice.Client;

/// <summary>Settings of a new stream beyond its name and shard count; null or 0 takes the gateway's default.</summary>
public sealed record CreateStreamOptions
{
    /// <summary>Settings that are all the gateway's defaults.</summary>
    public static CreateStreamOptions Default { get; } = new();

    /// <summary>How long records are kept, in hours; 0 means the gateway's default (24).</summary>
    public int RetentionHours { get; init; }

    /// <summary>Replicas per shard, 1 up to the live storage nodes; null means 3, capped by the live storage nodes.</summary>
    public int? ReplicationFactor { get; init; }

    /// <summary>The fewest in-sync replicas a write with <see cref="StreamAcks.All"/> needs, 1 up to the replication factor; null means 2, capped by it.</summary>
    public int? MinInSyncReplicas { get; init; }

    /// <summary>The acknowledgement mode of writes that name none; null means <see cref="StreamAcks.All"/>.</summary>
    public StreamAcks? Acks { get; init; }
}
