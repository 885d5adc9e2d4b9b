namespace Sluice.Metadata.Model;

/// <summary>A stream: a named, sharded, retained log of records owned by one tenant.</summary>
public sealed class StreamDefinition
{
    public long Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Unique within the tenant.</summary>
    public required string Name { get; set; }

    public StreamStatus Status { get; set; }

    /// <summary>Number of open shards.</summary>
    public int ShardCount { get; set; }

    public int RetentionHours { get; set; }

    public int ReplicationFactor { get; set; }

    public int MinInSyncReplicas { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ShardDefinition> Shards { get; set; } = [];
}
