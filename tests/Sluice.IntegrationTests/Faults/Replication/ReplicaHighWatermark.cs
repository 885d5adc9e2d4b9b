using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>The high watermark below which the replicas of a shard are compared after a run.</summary>
internal static class ReplicaHighWatermark
{
    /// <summary>
    /// The high watermark of one shard: the minimum log end offset over its ISR (as the
    /// <c>shards</c> table has it at the end of the run) among the replicas read from disk.
    /// </summary>
    /// <remarks>
    /// Swap point for issue 4: once the internal <c>ShardInfoResponse</c> carries
    /// <c>high_watermark</c>, sample it from the leader before the nodes stop and return the
    /// minimum of what the leader reported here instead. Until then the definition is the one the
    /// leader itself uses (min log end offset over the ISR), computed from the replicas' files.
    /// An ISR member without a replica on disk counts as an empty log: that is a divergence.
    /// </remarks>
    public static long Resolve(ShardReplicationState shard, IReadOnlyList<ReplicaLog> replicas)
    {
        var inSync = shard.Isr.Count > 0 ? shard.Isr : shard.Replicas;
        return inSync.Select(node => replicas.FirstOrDefault(r => r.NodeId == node)?.LogEndOffset ?? 0).DefaultIfEmpty(0).Min();
    }
}
