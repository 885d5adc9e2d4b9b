using Sluice.Metadata.Model;
using Sluice.Storage.V1;

namespace Sluice.Gateway.Streams;

/// <summary>
/// The storage-node calls that complete a stream's transition, one call per node, worked out from
/// the stream's shards alone.
/// </summary>
internal static class StreamTransitionPlan
{
    /// <summary>
    /// CREATING → ACTIVE: one PrepareShards per leader, carrying every shard it leads at its epoch.
    /// Null when a shard has no leader: nothing can prepare it until one is placed.
    /// </summary>
    public static IReadOnlyList<(string NodeId, PrepareShardsRequest Request)>? ForCreation(StreamDefinition stream)
    {
        var calls = new SortedDictionary<string, PrepareShardsRequest>(StringComparer.Ordinal);
        foreach (var shard in stream.Shards.OrderBy(s => s.ShardIndex))
        {
            if (shard.LeaderNodeId is not { } leader)
            {
                return null;
            }

            if (!calls.TryGetValue(leader, out var request))
            {
                calls[leader] = request = new PrepareShardsRequest { StreamId = stream.Id };
            }

            request.Shards.Add(new PrepareShard { ShardIndex = shard.ShardIndex, LeaderEpoch = shard.LeaderEpoch });
        }

        return [.. calls.Select(c => (c.Key, c.Value))];
    }

    /// <summary>DELETING → gone: one DeleteShards per node holding a replica (or the lead) of any shard.</summary>
    public static IReadOnlyList<(string NodeId, DeleteShardsRequest Request)> ForDeletion(StreamDefinition stream)
    {
        var calls = new SortedDictionary<string, DeleteShardsRequest>(StringComparer.Ordinal);
        foreach (var shard in stream.Shards.OrderBy(s => s.ShardIndex))
        {
            var holders = shard.LeaderNodeId is { } leader ? shard.Replicas.Append(leader) : shard.Replicas;
            foreach (var node in holders.Distinct(StringComparer.Ordinal))
            {
                if (!calls.TryGetValue(node, out var request))
                {
                    calls[node] = request = new DeleteShardsRequest { StreamId = stream.Id };
                }

                request.ShardIndexes.Add(shard.ShardIndex);
            }
        }

        return [.. calls.Select(c => (c.Key, c.Value))];
    }
}
