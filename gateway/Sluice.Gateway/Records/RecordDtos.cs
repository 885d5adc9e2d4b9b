using System.Text.Json.Serialization;

namespace Sluice.Gateway.Records;

/// <summary>Body of POST /v1/streams/{name}/records.</summary>
public sealed record PutRecordsBody(IReadOnlyList<PutRecordsBodyEntry>? Records);

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

/// <summary>Records read from a shard and where to continue.</summary>
public sealed record GetRecordsResultDto(IReadOnlyList<RecordDto> Records, string NextSequenceNumber, long MillisBehindLatest);

/// <summary>A record as REST returns it; data is base64.</summary>
public sealed record RecordDto(string SequenceNumber, string PartitionKey, ReadOnlyMemory<byte> Data, DateTimeOffset ApproximateArrivalTimestamp);
