namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>A shard's high watermark as seen at one moment (since the workload started).</summary>
public sealed record HighWatermarkSample(string ShardId, long HighWatermark, TimeSpan At);
