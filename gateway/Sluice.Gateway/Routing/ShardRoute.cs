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
    long? EndingOffset = null,
    string[]? Isr = null)
{
    /// <summary>Why the shard cannot be reached now, for a retriable error: offline (no live in-sync replica), or its leader's address unknown.</summary>
    public string Unavailability(string streamName) => LeaderNodeId is null
        ? $"Shard {ShardId} of stream {streamName} is offline: none of its in-sync replicas ({string.Join(", ", Isr ?? [])}) is alive; it comes back when one of them does. Retry later."
        : $"Shard {ShardId} of stream {streamName} has no reachable leader (storage node {LeaderNodeId} is not registered); retry later.";
}
