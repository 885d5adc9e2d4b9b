using System.Text.Json.Serialization;
using Sluice.Core;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Streams;

/// <summary>Body of POST /v1/streams.</summary>
/// <param name="ReplicationFactor">Replicas per shard, 1 up to the live storage nodes; default 3, capped by the live storage nodes.</param>
/// <param name="MinInSyncReplicas">The fewest in-sync replicas an acks=all write needs, 1..replication factor; default 2, capped by it.</param>
/// <param name="Acks">Acknowledgement mode of writes that name none: all (default), leader or none.</param>
public sealed record CreateStreamBody(string Name, int ShardCount, int? RetentionHours, int? ReplicationFactor = null, int? MinInSyncReplicas = null, string? Acks = null);

/// <summary>A stream as REST describes it; <c>schemaSubject</c> names the registry subject its records are checked against, when bound.</summary>
public sealed record StreamDto(
    string Name,
    string Status,
    int ShardCount,
    int RetentionHours,
    DateTimeOffset CreatedAt,
    int ReplicationFactor,
    int MinInSyncReplicas,
    string DefaultAcks,
    IReadOnlyList<ShardDto> Shards,
    string Encryption = "NONE",
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EncryptionKeyId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SchemaSubject = null)
{
    public static StreamDto From(StreamDefinition stream) => new(
        stream.Name,
        StatusName(stream.Status),
        stream.ShardCount,
        stream.RetentionHours,
        stream.CreatedAt,
        stream.ReplicationFactor,
        stream.MinInSyncReplicas,
        StreamService.AcksName(stream.DefaultAcks),
        [.. stream.Shards.OrderBy(s => s.ShardIndex).Select(ShardDto.From)],
        EncryptionName(stream.Encryption),
        stream.EncryptionKeyId,
        stream.SchemaSubject);

    /// <summary>Encryption at rest as every face names it (Kinesis' EncryptionType): NONE or KMS.</summary>
    public static string EncryptionName(StreamEncryption encryption) => encryption == StreamEncryption.Kms ? "KMS" : "NONE";

    public static string StatusName(StreamStatus status) => status.ToString().ToUpperInvariant();
}

/// <summary>
/// A shard as REST describes it, with its lineage after splits and merges, its replicas and ISR;
/// a null leader means the shard is offline (no live in-sync replica).
/// </summary>
public sealed record ShardDto(
    string ShardId,
    string StartingHashKey,
    string EndingHashKey,
    string State,
    string StartingSequenceNumber,
    string? LeaderNode,
    int LeaderEpoch,
    IReadOnlyList<string> Replicas,
    IReadOnlyList<string> Isr,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ParentShardId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AdjacentParentShardId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EndingSequenceNumber = null)
{
    public static ShardDto From(ShardDefinition shard) => new(
        Core.ShardId.Format(shard.ShardIndex),
        shard.StartingHashKey,
        shard.EndingHashKey,
        shard.State.ToString().ToUpperInvariant(),
        SequenceNumber.Encode(shard.ShardIndex, 0),
        shard.LeaderNodeId,
        shard.LeaderEpoch,
        shard.Replicas,
        shard.Isr,
        shard.ParentShardIndex is { } parent ? Core.ShardId.Format(parent) : null,
        shard.AdjacentParentShardIndex is { } adjacent ? Core.ShardId.Format(adjacent) : null,
        EndingSequenceNumberOf(shard));

    /// <summary>
    /// A closed shard's range ends, as Kinesis reports it, at the highest sequence number the shard
    /// could have had: above all its records, and there even when it never got one. Null while open.
    /// </summary>
    public static string? EndingSequenceNumberOf(ShardDefinition shard) =>
        shard.State == ShardState.Closed ? SequenceNumber.Encode(shard.ShardIndex, long.MaxValue) : null;
}

/// <summary>Body of POST /v1/streams/{name}/shards:split.</summary>
public sealed record SplitShardBody(string? ShardId, string? NewStartingHashKey);

/// <summary>Body of POST /v1/streams/{name}/shards:merge.</summary>
public sealed record MergeShardsBody(string? ShardId, string? AdjacentShardId);

/// <summary>Body of POST /v1/streams/{name}/shards:scale.</summary>
public sealed record UpdateShardCountBody(int TargetShardCount);

/// <summary>Answer of POST /v1/streams/{name}/shards:scale.</summary>
public sealed record UpdateShardCountDto(int CurrentShardCount, int TargetShardCount, StreamDto Stream);

/// <summary>One row of GET /v1/streams.</summary>
public sealed record StreamSummaryDto(string Name, string Status, int ShardCount, DateTimeOffset CreatedAt);

/// <summary>A page of GET /v1/streams.</summary>
public sealed record StreamListDto(IReadOnlyList<StreamSummaryDto> Streams, bool HasMore);
