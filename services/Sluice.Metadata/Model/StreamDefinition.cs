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

    /// <summary>The fewest in-sync replicas an <see cref="AckMode.All"/> write needs; 1..<see cref="ReplicationFactor"/>.</summary>
    public int MinInSyncReplicas { get; set; }

    /// <summary>The acknowledgement mode of writes that do not name one.</summary>
    public AckMode DefaultAcks { get; set; } = AckMode.All;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Capacity mode as Kinesis names it; on-demand streams are resized by the service.</summary>
    public StreamMode Mode { get; set; } = StreamMode.Provisioned;

    /// <summary>Server-side encryption requested for the stream (StartStreamEncryption).</summary>
    public StreamEncryption Encryption { get; set; } = StreamEncryption.None;

    /// <summary>The key the stream's encryption names (a KMS key id, ARN or alias); null without encryption.</summary>
    public string? EncryptionKeyId { get; set; }

    /// <summary>User tags (Kinesis AddTagsToStream): at most 50, keys 1-128 and values 0-256 characters.</summary>
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The stream's data key (AES-256) wrapped by the master key; created the first time encryption is started and kept.</summary>
    public byte[]? EncryptedDataKey { get; set; }

    /// <summary>Bytes per second the stream may take in (over all shards); null for no stream-level limit.</summary>
    public long? IngressBytesPerSecond { get; set; }

    /// <summary>Bytes per second the stream may serve (over all shards); null for no stream-level limit.</summary>
    public long? EgressBytesPerSecond { get; set; }

    /// <summary>
    /// The schema-registry subject the stream is bound to: every record produced must be an instance of one of the
    /// subject's live versions (Confluent wire format) or plain JSON valid against its latest version. Null when unbound.
    /// </summary>
    public string? SchemaSubject { get; set; }

    public List<ShardDefinition> Shards { get; set; } = [];
}
