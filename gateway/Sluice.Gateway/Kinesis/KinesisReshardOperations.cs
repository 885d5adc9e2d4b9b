using System.Text.Json;
using Sluice.Gateway.Streams;

namespace Sluice.Gateway.Kinesis;

/// <summary>Kinesis' resharding operations (SplitShard, MergeShards, UpdateShardCount) over <see cref="ReshardService"/>.</summary>
internal sealed class KinesisReshardOperations(ReshardService reshards)
{
    /// <summary>Kinesis' own bound of TargetShardCount in the API model.</summary>
    private const int MaxTargetShardCount = 100_000;

    public async Task<object?> SplitShardAsync(KinesisCall call, SplitShardRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.ShardToSplit, "shardToSplit").ShardId(request.ShardToSplit, "shardToSplit")
            .Required(request.NewStartingHashKey, "newStartingHashKey").HashKey(request.NewStartingHashKey, "newStartingHashKey")
            .ThrowIfAny();
        var name = KinesisStreamOperations.StreamName(call, request);
        await reshards.SplitAsync(call.Tenant, name, request.ShardToSplit!, request.NewStartingHashKey!, cancellationToken);
        return null;
    }

    public async Task<object?> MergeShardsAsync(KinesisCall call, MergeShardsRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.ShardToMerge, "shardToMerge").ShardId(request.ShardToMerge, "shardToMerge")
            .Required(request.AdjacentShardToMerge, "adjacentShardToMerge").ShardId(request.AdjacentShardToMerge, "adjacentShardToMerge")
            .ThrowIfAny();
        var name = KinesisStreamOperations.StreamName(call, request);
        await reshards.MergeAsync(call.Tenant, name, request.ShardToMerge!, request.AdjacentShardToMerge!, cancellationToken);
        return null;
    }

    public async Task<byte[]> UpdateShardCountAsync(KinesisCall call, UpdateShardCountRequest request, CancellationToken cancellationToken)
    {
        new KinesisValidation()
            .Required(request.TargetShardCount, "targetShardCount").Range(request.TargetShardCount, 1, MaxTargetShardCount, "targetShardCount")
            .Required(request.ScalingType, "scalingType").OneOf(request.ScalingType, "scalingType", "UNIFORM_SCALING")
            .ThrowIfAny();
        var name = KinesisStreamOperations.StreamName(call, request);
        var outcome = await reshards.UpdateShardCountAsync(call.Tenant, name, request.TargetShardCount!.Value, cancellationToken);
        var response = new UpdateShardCountResponse(outcome.PreviousOpenShardCount, outcome.Stream.Name, outcome.OpenShardCount, call.StreamArn(outcome.Stream.Name));
        return JsonSerializer.SerializeToUtf8Bytes(response, KinesisReshardJsonContext.Default.UpdateShardCountResponse);
    }
}
