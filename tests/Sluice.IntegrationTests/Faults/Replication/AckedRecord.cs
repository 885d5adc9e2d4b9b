namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>A record the producer got an acknowledgement for, and when (since the workload started).</summary>
public sealed record AckedRecord(string Value, string ShardId, string SequenceNumber, TimeSpan AckedAt);
