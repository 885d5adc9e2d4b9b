namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>A record as it is stored in one replica's log: offset, value and the epoch of the leader that wrote it.</summary>
public sealed record ReplicaRecord(long Offset, string Value, int LeaderEpoch);
