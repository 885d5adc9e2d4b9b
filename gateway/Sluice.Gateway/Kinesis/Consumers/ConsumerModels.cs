using System.Text.Json.Serialization;

namespace Sluice.Gateway.Kinesis.Consumers;

// The enhanced fan-out shapes of the Kinesis API (Kinesis_20131202): consumers and
// SubscribeToShard, as the JSON protocol carries them. Requests are all-optional here: the
// operations validate and answer Kinesis' own errors.
#pragma warning disable SA1402, SA1649 // one file for the API's many small shapes

internal sealed class RegisterStreamConsumerRequest
{
    public string? StreamARN { get; set; }

    public string? ConsumerName { get; set; }
}

/// <summary>DescribeStreamConsumer and DeregisterStreamConsumer: a ConsumerARN, or StreamARN and ConsumerName.</summary>
internal sealed class ConsumerRequest
{
    public string? StreamARN { get; set; }

    public string? ConsumerName { get; set; }

    public string? ConsumerARN { get; set; }
}

internal sealed class ListStreamConsumersRequest
{
    public string? StreamARN { get; set; }

    public string? NextToken { get; set; }

    public int? MaxResults { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StreamCreationTimestamp { get; set; }
}

internal sealed class StartingPosition
{
    public string? Type { get; set; }

    public string? SequenceNumber { get; set; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? Timestamp { get; set; }
}

internal sealed class SubscribeToShardRequest
{
    public string? ConsumerARN { get; set; }

    public string? ShardId { get; set; }

    public StartingPosition? StartingPosition { get; set; }
}

internal sealed record ConsumerModel(
    string ConsumerName,
    string ConsumerARN,
    string ConsumerStatus,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? ConsumerCreationTimestamp);

internal sealed record ConsumerDescriptionModel(
    string ConsumerName,
    string ConsumerARN,
    string ConsumerStatus,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? ConsumerCreationTimestamp,
    string StreamARN);

internal sealed record RegisterStreamConsumerResponse(ConsumerModel Consumer);

internal sealed record DescribeStreamConsumerResponse(ConsumerDescriptionModel ConsumerDescription);

internal sealed record ListStreamConsumersResponse(IReadOnlyList<ConsumerModel> Consumers, string? NextToken);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(RegisterStreamConsumerRequest))]
[JsonSerializable(typeof(ConsumerRequest))]
[JsonSerializable(typeof(ListStreamConsumersRequest))]
[JsonSerializable(typeof(SubscribeToShardRequest))]
[JsonSerializable(typeof(RegisterStreamConsumerResponse))]
[JsonSerializable(typeof(DescribeStreamConsumerResponse))]
[JsonSerializable(typeof(ListStreamConsumersResponse))]
internal sealed partial class KinesisConsumerJsonContext : JsonSerializerContext
{
}
