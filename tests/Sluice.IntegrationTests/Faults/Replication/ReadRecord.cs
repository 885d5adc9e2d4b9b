namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>A record the consumer read.</summary>
public sealed record ReadRecord(string Value, string ShardId, string SequenceNumber);
