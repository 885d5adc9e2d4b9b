using System.Text.Json.Serialization;

namespace Sluice.Gateway.Records;

/// <summary>
/// Body of POST /v1/streams/{name}/records. <c>acks</c>: <c>all</c> (durable on every in-sync replica), <c>leader</c>
/// (durable on the shard's leader) or <c>none</c> (not waited for: no sequence numbers); the stream's default when
/// absent. <c>producerId</c> and <c>producerSequence</c> (both or neither) make the put idempotent: the id from
/// <c>POST /v1/producers</c> and the call's sequence number, kept when the same call is sent again.
/// </summary>
public sealed record PutRecordsBody(IReadOnlyList<PutRecordsBodyEntry>? Records, string? Acks = null, long? ProducerId = null, long? ProducerSequence = null);

/// <summary>A new idempotent producer: its id for <c>producerId</c> of puts, and its epoch (0).</summary>
public sealed record ProducerDto(long ProducerId, int ProducerEpoch);

/// <summary>One record to put: a partition key and base64 data, optionally an explicit hash key.</summary>
public sealed record PutRecordsBodyEntry(string? PartitionKey, Base64Data? Data, string? ExplicitHashKey);

/// <summary>The per-record results of a put, in request order.</summary>
public sealed record PutRecordsResultDto(int FailedRecordCount, IReadOnlyList<PutRecordResultDto> Records);

/// <summary>Either a sequence number and shard id, or an error code and message.</summary>
public sealed record PutRecordResultDto(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SequenceNumber,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ShardId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorMessage);

/// <summary>
/// Records read from a shard and where to continue; at the end of a closed shard,
/// <see cref="ChildShards"/> names the shards to read on from (and there is nothing more here).
/// </summary>
public sealed record GetRecordsResultDto(
    IReadOnlyList<RecordDto> Records,
    string NextSequenceNumber,
    long MillisBehindLatest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ChildShardDto>? ChildShards = null);

/// <summary>A shard that took over hash keys of a closed one, with all its parents.</summary>
public sealed record ChildShardDto(string ShardId, IReadOnlyList<string> ParentShards, string StartingHashKey, string EndingHashKey)
{
    public static ChildShardDto From(Routing.ShardRoute child) => new(
        child.ShardId,
        [.. new[] { child.ParentIndex, child.AdjacentParentIndex }.Where(p => p is not null).Select(p => Core.ShardId.Format(p!.Value))],
        Core.HashKey.Format(child.StartingHashKey),
        Core.HashKey.Format(child.EndingHashKey));
}

/// <summary>
/// A record as REST returns it; data is base64. With <c>?decode=true</c> also <c>decoded</c>, the record as a JSON value
/// (and <c>schemaId</c> for a record in Confluent's wire format), or <c>decodeError</c> saying why it cannot be decoded.
/// </summary>
public sealed record RecordDto(
    string SequenceNumber,
    string PartitionKey,
    ReadOnlyMemory<byte> Data,
    DateTimeOffset ApproximateArrivalTimestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] System.Text.Json.JsonElement? Decoded = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SchemaId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DecodeError = null);
