using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Gateway.Kinesis;

// The Kinesis Data Streams API shapes (Kinesis_20131202), as the JSON protocol carries them:
// member names as in the API model, blobs as base64, timestamps as epoch seconds. Requests are
// all-optional here: the operations validate and answer Kinesis' own errors.
#pragma warning disable SA1402, SA1649 // one file for the API's many small shapes

internal sealed class StreamModeDetails
{
    public string? StreamMode { get; set; }
}

internal sealed class CreateStreamRequest
{
    public string? StreamName { get; set; }

    public int? ShardCount { get; set; }

    public StreamModeDetails? StreamModeDetails { get; set; }

    public Dictionary<string, string>? Tags { get; set; }
}

internal class StreamRequest
{
    public string? StreamName { get; set; }

    public string? StreamARN { get; set; }
}

internal sealed class DeleteStreamRequest : StreamRequest
{
    public bool? EnforceConsumerDeletion { get; set; }
}

internal sealed class DescribeStreamRequest : StreamRequest
{
    public int? Limit { get; set; }

    public string? ExclusiveStartShardId { get; set; }
}

internal sealed class ListStreamsRequest
{
    public int? Limit { get; set; }

    public string? ExclusiveStartStreamName { get; set; }

    public string? NextToken { get; set; }
}

internal sealed class ShardFilter
{
    public string? Type { get; set; }

    public string? ShardId { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? Timestamp { get; set; }
}

internal sealed class ListShardsRequest : StreamRequest
{
    public string? NextToken { get; set; }

    public string? ExclusiveStartShardId { get; set; }

    public int? MaxResults { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StreamCreationTimestamp { get; set; }

    public ShardFilter? ShardFilter { get; set; }
}

internal sealed class PutRecordRequest : StreamRequest
{
    public byte[]? Data { get; set; }

    public string? PartitionKey { get; set; }

    public string? ExplicitHashKey { get; set; }

    public string? SequenceNumberForOrdering { get; set; }
}

internal sealed class PutRecordsRequestEntry
{
    public byte[]? Data { get; set; }

    public string? PartitionKey { get; set; }

    public string? ExplicitHashKey { get; set; }
}

internal sealed class PutRecordsRequest : StreamRequest
{
    public List<PutRecordsRequestEntry?>? Records { get; set; }
}

internal sealed class GetShardIteratorRequest : StreamRequest
{
    public string? ShardId { get; set; }

    public string? ShardIteratorType { get; set; }

    public string? StartingSequenceNumber { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? Timestamp { get; set; }
}

internal sealed class GetRecordsRequest
{
    public string? ShardIterator { get; set; }

    public int? Limit { get; set; }

    public string? StreamARN { get; set; }
}

internal sealed class RetentionPeriodRequest : StreamRequest
{
    public int? RetentionPeriodHours { get; set; }
}

internal sealed class AddTagsToStreamRequest : StreamRequest
{
    public Dictionary<string, string>? Tags { get; set; }
}

internal sealed class RemoveTagsFromStreamRequest : StreamRequest
{
    public List<string>? TagKeys { get; set; }
}

internal sealed class ListTagsForStreamRequest : StreamRequest
{
    public string? ExclusiveStartTagKey { get; set; }

    public int? Limit { get; set; }
}

internal sealed class StreamEncryptionRequest : StreamRequest
{
    public string? EncryptionType { get; set; }

    public string? KeyId { get; set; }
}

internal sealed class EmptyRequest
{
}

internal sealed record HashKeyRangeModel(string StartingHashKey, string EndingHashKey);

internal sealed record SequenceNumberRangeModel(string StartingSequenceNumber, string? EndingSequenceNumber);

internal sealed record ShardModel(
    string ShardId,
    string? ParentShardId,
    string? AdjacentParentShardId,
    HashKeyRangeModel HashKeyRange,
    SequenceNumberRangeModel SequenceNumberRange);

internal sealed record EnhancedMetrics(IReadOnlyList<string> ShardLevelMetrics);

internal sealed record StreamDescriptionModel(
    string StreamName,
    string StreamARN,
    string StreamStatus,
    StreamModeDetails StreamModeDetails,
    IReadOnlyList<ShardModel> Shards,
    bool HasMoreShards,
    int RetentionPeriodHours,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? StreamCreationTimestamp,
    IReadOnlyList<EnhancedMetrics> EnhancedMonitoring,
    string EncryptionType,
    string? KeyId);

internal sealed record DescribeStreamResponse(StreamDescriptionModel StreamDescription);

internal sealed record StreamDescriptionSummaryModel(
    string StreamName,
    string StreamARN,
    string StreamStatus,
    StreamModeDetails StreamModeDetails,
    int RetentionPeriodHours,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? StreamCreationTimestamp,
    IReadOnlyList<EnhancedMetrics> EnhancedMonitoring,
    string EncryptionType,
    string? KeyId,
    int OpenShardCount,
    int ConsumerCount);

internal sealed record DescribeStreamSummaryResponse(StreamDescriptionSummaryModel StreamDescriptionSummary);

internal sealed record StreamSummaryModel(
    string StreamName,
    string StreamARN,
    string StreamStatus,
    StreamModeDetails StreamModeDetails,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? StreamCreationTimestamp);

internal sealed record ListStreamsResponse(IReadOnlyList<string> StreamNames, bool HasMoreStreams, string? NextToken, IReadOnlyList<StreamSummaryModel> StreamSummaries);

internal sealed record ListShardsResponse(IReadOnlyList<ShardModel> Shards, string? NextToken);

internal sealed record PutRecordResponse(string ShardId, string SequenceNumber, string EncryptionType);

internal sealed record GetShardIteratorResponse(string ShardIterator);

internal sealed record TagModel(string Key, string? Value);

internal sealed record ListTagsForStreamResponse(IReadOnlyList<TagModel> Tags, bool HasMoreTags);

internal sealed record DescribeLimitsResponse(int ShardLimit, int OpenShardCount, int OnDemandStreamCount, int OnDemandStreamCountLimit);

internal sealed record ErrorResponse(
    [property: JsonPropertyName("__type")] string Type,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Timestamps as the JSON protocol carries them: seconds since the epoch, with milliseconds as a fraction.</summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => false;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                var seconds = reader.GetDouble();
                if (double.IsNaN(seconds) || seconds < -62_135_596_800 || seconds > 253_402_300_799)
                {
                    throw new JsonException($"Timestamp {seconds} is out of range.");
                }

                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            case JsonTokenType.String when DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                return parsed;
            default:
                throw new JsonException("A timestamp must be a number of seconds since the epoch.");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            writer.WriteNumberValue(time.ToUnixTimeMilliseconds() / 1000.0);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateStreamRequest))]
[JsonSerializable(typeof(StreamRequest))]
[JsonSerializable(typeof(DeleteStreamRequest))]
[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(ListStreamsRequest))]
[JsonSerializable(typeof(ListShardsRequest))]
[JsonSerializable(typeof(PutRecordRequest))]
[JsonSerializable(typeof(PutRecordsRequest))]
[JsonSerializable(typeof(GetShardIteratorRequest))]
[JsonSerializable(typeof(GetRecordsRequest))]
[JsonSerializable(typeof(RetentionPeriodRequest))]
[JsonSerializable(typeof(AddTagsToStreamRequest))]
[JsonSerializable(typeof(RemoveTagsFromStreamRequest))]
[JsonSerializable(typeof(ListTagsForStreamRequest))]
[JsonSerializable(typeof(StreamEncryptionRequest))]
[JsonSerializable(typeof(EmptyRequest))]
[JsonSerializable(typeof(DescribeStreamResponse))]
[JsonSerializable(typeof(DescribeStreamSummaryResponse))]
[JsonSerializable(typeof(ListStreamsResponse))]
[JsonSerializable(typeof(ListShardsResponse))]
[JsonSerializable(typeof(PutRecordResponse))]
[JsonSerializable(typeof(GetShardIteratorResponse))]
[JsonSerializable(typeof(ListTagsForStreamResponse))]
[JsonSerializable(typeof(DescribeLimitsResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class KinesisJsonContext : JsonSerializerContext
{
}
