namespace Sluice.Metadata;

/// <summary>Where a shard lives and who leads it, as a storage node or gateway needs to know.</summary>
public sealed record ShardAssignment(long StreamId, int ShardIndex, string? LeaderNodeId, int LeaderEpoch, string[] Replicas, int RetentionHours);
