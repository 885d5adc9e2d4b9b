using Sluice.Metadata.Model;

namespace Sluice.Gateway.Routing;

/// <summary>A stream's metadata and the routes of its shards, as cached by the gateway.</summary>
public sealed class StreamRoute
{
    private readonly ShardRoute[] _openByHashKey;
    private readonly Dictionary<int, ShardRoute> _byIndex;

    public StreamRoute(StreamDefinition definition, IReadOnlyList<ShardRoute> shards)
    {
        Definition = definition;
        Shards = shards;
        _openByHashKey = [.. shards.Where(s => s.IsOpen).OrderBy(s => s.StartingHashKey)];
        _byIndex = shards.ToDictionary(s => s.Index);
    }

    public StreamDefinition Definition { get; }

    public long StreamId => Definition.Id;

    public string Name => Definition.Name;

    public IReadOnlyList<ShardRoute> Shards { get; }

    public bool TryGetShard(int index, out ShardRoute shard) => _byIndex.TryGetValue(index, out shard!);

    /// <summary>The shards split or merged from <paramref name="index"/>, in index order (none for a shard still open).</summary>
    public IReadOnlyList<ShardRoute> ChildrenOf(int index)
    {
        List<ShardRoute>? children = null;
        foreach (var shard in Shards)
        {
            if (shard.ParentIndex == index || shard.AdjacentParentIndex == index)
            {
                (children ??= []).Add(shard);
            }
        }

        return children ?? (IReadOnlyList<ShardRoute>)[];
    }

    /// <summary>The open shard whose hash-key range holds <paramref name="hashKey"/> (binary search).</summary>
    public ShardRoute? FindOpenShard(UInt128 hashKey)
    {
        int low = 0, high = _openByHashKey.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var shard = _openByHashKey[mid];
            if (hashKey < shard.StartingHashKey)
            {
                high = mid - 1;
            }
            else if (hashKey > shard.EndingHashKey)
            {
                low = mid + 1;
            }
            else
            {
                return shard;
            }
        }

        return null;
    }
}
