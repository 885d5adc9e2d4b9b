namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// One replica of one shard as read from its node's disk. An in-sync replica must hold every
/// offset below the high watermark; any replica's record below it must equal the others'.
/// </summary>
public sealed record ReplicaLog(string ShardId, string NodeId, bool InSync, long LogStartOffset, long LogEndOffset, IReadOnlyList<ReplicaRecord> Records);
