namespace Sluice.Metadata;

/// <summary>Rules for stream creation and node liveness, bound from <c>Sluice:Catalog</c>.</summary>
public sealed record CatalogOptions
{
    public static CatalogOptions Default { get; } = new();

    /// <summary>The most shards one stream may have.</summary>
    public int MaxShardsPerStream { get; init; } = 64;

    /// <summary>A storage node whose last heartbeat is older than this is considered down.</summary>
    public TimeSpan NodeLease { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Replicas per shard when the stream does not say; capped by the live node count.</summary>
    public int DefaultReplicationFactor { get; init; } = 3;

    /// <summary>Min in-sync replicas when the stream does not say; capped by its replication factor.</summary>
    public int DefaultMinInSyncReplicas { get; init; } = 2;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (MaxShardsPerStream < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxShardsPerStream), MaxShardsPerStream, "Must be at least 1.");
        }

        if (NodeLease <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(NodeLease), NodeLease, "Must be positive.");
        }

        if (DefaultReplicationFactor < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultReplicationFactor), DefaultReplicationFactor, "Must be at least 1.");
        }

        if (DefaultMinInSyncReplicas < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultMinInSyncReplicas), DefaultMinInSyncReplicas, "Must be at least 1.");
        }
    }
}
