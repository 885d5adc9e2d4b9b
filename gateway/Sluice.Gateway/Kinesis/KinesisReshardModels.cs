using System.Text.Json.Serialization;

namespace Sluice.Gateway.Kinesis;

// The resharding shapes of the Kinesis API (SplitShard, MergeShards, UpdateShardCount), with a
// serializer context of their own beside KinesisJsonContext.
#pragma warning disable SA1402, SA1649 // one file for the API's small shapes

internal sealed class SplitShardRequest : StreamRequest
{
    public string? ShardToSplit { get; set; }

    public string? NewStartingHashKey { get; set; }
}

internal sealed class MergeShardsRequest : StreamRequest
{
    public string? ShardToMerge { get; set; }

    public string? AdjacentShardToMerge { get; set; }
}

internal sealed class UpdateShardCountRequest : StreamRequest
{
    public int? TargetShardCount { get; set; }

    public string? ScalingType { get; set; }
}

internal sealed record UpdateShardCountResponse(int CurrentShardCount, string StreamName, int TargetShardCount, string StreamARN);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SplitShardRequest))]
[JsonSerializable(typeof(MergeShardsRequest))]
[JsonSerializable(typeof(UpdateShardCountRequest))]
[JsonSerializable(typeof(UpdateShardCountResponse))]
internal sealed partial class KinesisReshardJsonContext : JsonSerializerContext
{
}
