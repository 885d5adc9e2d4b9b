namespace Sluice.Gateway.Routing;

/// <summary>Where one shard's reads and writes go.</summary>
public sealed record ShardRoute(
    int Index,
    string ShardId,
    UInt128 StartingHashKey,
    UInt128 EndingHashKey,
    bool IsOpen,
    string? LeaderNodeId,
    string? LeaderAddress,
    int LeaderEpoch);
