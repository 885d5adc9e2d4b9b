using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis;

/// <summary>
/// When each shard of a stream was open, for ListShards' time filters: a shard opens when it is
/// made (the stream's first shards count as open from before it, so any earlier time finds them)
/// and closes when its children are made (the reshard's one timestamp).
/// </summary>
internal sealed class ShardLifetimes
{
    private readonly Dictionary<int, DateTimeOffset> _closedAt = [];

    public ShardLifetimes(StreamDefinition stream)
    {
        foreach (var child in stream.Shards)
        {
            Close(child.ParentShardIndex, child.CreatedAt);
            Close(child.AdjacentParentShardIndex, child.CreatedAt);
        }
    }

    /// <summary>True when the shard took records at <paramref name="time"/>.</summary>
    public bool OpenAt(ShardDefinition shard, DateTimeOffset time) =>
        (shard.ParentShardIndex is null || shard.CreatedAt <= time) && OpenAtOrAfter(shard, time);

    /// <summary>True when the shard is open, or was still open at <paramref name="time"/> (closed at or after it).</summary>
    public bool OpenAtOrAfter(ShardDefinition shard, DateTimeOffset time) =>
        shard.State == ShardState.Open || ClosedAt(shard) >= time;

    private DateTimeOffset ClosedAt(ShardDefinition shard) => _closedAt.GetValueOrDefault(shard.ShardIndex, shard.CreatedAt);

    private void Close(int? parent, DateTimeOffset at)
    {
        if (parent is { } index && (!_closedAt.TryGetValue(index, out var known) || at < known))
        {
            _closedAt[index] = at;
        }
    }
}
