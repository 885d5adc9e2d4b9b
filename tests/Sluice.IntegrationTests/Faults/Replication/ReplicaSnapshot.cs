using System.Text;
using Sluice.Core;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Log;

namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>Reads each replica's log of a stream from its node's data directory, with the nodes stopped.</summary>
internal static class ReplicaSnapshot
{
    private const int RecordsPerRead = 10_000;
    private const int BytesPerRead = 8 * 1024 * 1024;

    /// <summary>
    /// Every replica the metadata lists for each shard, read with <see cref="PartitionLog.Open"/>
    /// (which recovers a torn tail just as the node would on start) and closed again. A listed
    /// replica with no directory on its node is an empty log.
    /// </summary>
    public static async Task<IReadOnlyList<ReplicaLog>> ReadAsync(SluiceCluster cluster, long streamId, IReadOnlyList<ShardReplicationState> shards)
    {
        var logs = new List<ReplicaLog>();
        foreach (var shard in shards)
        {
            var shardId = ShardId.Format(shard.ShardIndex);
            foreach (var node in shard.Replicas)
            {
                var directory = cluster.ReplicaDirectory(node, streamId, shard.ShardIndex);
                var inSync = shard.Isr.Contains(node);
                logs.Add(Directory.Exists(directory)
                    ? await ReadReplicaAsync(directory, shardId, node, inSync)
                    : new ReplicaLog(shardId, node, inSync, 0, 0, []));
            }
        }

        return logs;
    }

    private static async Task<ReplicaLog> ReadReplicaAsync(string directory, string shardId, string node, bool inSync)
    {
        await using var log = PartitionLog.Open(directory, LogOptions.Default);
        var records = new List<ReplicaRecord>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var read = await log.ReadAsync(offset, RecordsPerRead, BytesPerRead);
            foreach (var record in read.Records)
            {
                records.Add(new ReplicaRecord(record.Offset, Encoding.UTF8.GetString(record.Value.Span), record.LeaderEpoch));
            }

            offset = read.NextOffset;
        }

        return new ReplicaLog(shardId, node, inSync, log.LogStartOffset, log.LogEndOffset, records);
    }
}
