namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// A record the producer got an acknowledgement for, when (since the workload started), and when it was first sent
/// (earlier than <paramref name="AckedAt"/> when the acknowledgement came for a resend).
/// </summary>
public sealed record AckedRecord(string Value, string ShardId, string SequenceNumber, TimeSpan AckedAt, TimeSpan FirstSentAt);
