namespace Sluice.Metadata;

/// <summary>
/// Where a shard lives and who leads it, as a storage node or gateway needs to know. A closed shard
/// (after a split or merge) takes no more appends; its records stay readable.
/// </summary>
public sealed record ShardAssignment(long StreamId, int ShardIndex, string? LeaderNodeId, int LeaderEpoch, string[] Replicas, int RetentionHours, bool IsClosed = false);
