using Grpc.Core;
using Sluice.Storage.V1;

namespace Sluice.StorageNode.Internal;

// The stream lifecycle's calls: gateways prepare a new stream's shard logs before declaring it
// ACTIVE, and remove them before forgetting a DELETING stream.
internal sealed partial class StorageNodeService
{
    public override async Task<PrepareShardsResponse> PrepareShards(PrepareShardsRequest request, ServerCallContext context)
    {
        if (request.Shards.Count == 0)
        {
            throw StorageErrors.InvalidArgument("PrepareShards must name at least one shard.");
        }

        foreach (var shard in request.Shards)
        {
            await replicas.PrepareAsync(request.StreamId, shard.ShardIndex, shard.LeaderEpoch, context.CancellationToken);
        }

        return new PrepareShardsResponse();
    }

    public override async Task<DeleteShardsResponse> DeleteShards(DeleteShardsRequest request, ServerCallContext context)
    {
        if (request.ShardIndexes.Count == 0)
        {
            throw StorageErrors.InvalidArgument("DeleteShards must name at least one shard.");
        }

        await replicas.EnsureDeletingAsync(request.StreamId, context.CancellationToken);
        var removed = 0;
        foreach (var shardIndex in request.ShardIndexes)
        {
            if (await replicas.RemoveAsync(request.StreamId, shardIndex, context.CancellationToken))
            {
                removed++;
            }
        }

        return new DeleteShardsResponse { Removed = removed };
    }
}
