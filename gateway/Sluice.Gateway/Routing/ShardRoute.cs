namespace Sluice.Gateway.Routing;

/// <summary>
/// Where one shard's reads and writes go, and its lineage: the shards it was split or merged from,
/// and for a closed shard where its log ends (<see cref="EndingOffset"/>, null until its leader
/// has sealed it).
/// </summary>
public sealed record ShardRoute(
    int Index,
    string ShardId,
    UInt128 StartingHashKey,
    UInt128 EndingHashKey,
    bool IsOpen,
    string? LeaderNodeId,
    string? LeaderAddress,
    int LeaderEpoch,
    int? ParentIndex = null,
    int? AdjacentParentIndex = null,
    long? EndingOffset = null);
