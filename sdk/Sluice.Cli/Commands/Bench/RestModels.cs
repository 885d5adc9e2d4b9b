using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Cli.Commands.Bench;

// The parts of the REST API's JSON that the benchmark reads and writes (camelCase).

internal sealed record RestCreateStream(string Name, int ShardCount, int RetentionHours);

internal sealed record RestStreamDescription(string Name, string Status, int ShardCount, List<RestShard>? Shards);

internal sealed record RestShard(string ShardId, string? State);

/// <summary>Only the count: the per-record results are skipped unread.</summary>
internal sealed record RestPutRecordsResponse(int FailedRecordCount);

internal sealed record RestGetRecordsResponse(List<RestRecord>? Records, string? NextSequenceNumber, long MillisBehindLatest);

/// <summary>Only the data: it carries the send time.</summary>
internal sealed record RestRecord(byte[]? Data);

/// <summary>RFC 9457 problem details.</summary>
internal sealed record RestProblem(string? Title, int? Status, string? Detail);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RestCreateStream))]
[JsonSerializable(typeof(RestStreamDescription))]
[JsonSerializable(typeof(RestPutRecordsResponse))]
[JsonSerializable(typeof(RestGetRecordsResponse))]
[JsonSerializable(typeof(RestProblem))]
internal sealed partial class RestJsonContext : JsonSerializerContext;
