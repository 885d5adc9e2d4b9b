using Sluice.Gateway.Records;
using Sluice.Gateway.Routing;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>
/// Whether a reader has read a shard to its end, and the shards that continue it (Kinesis'
/// ChildShards). Today from the stream's metadata: a closed shard whose read came back empty at or
/// past its ending offset is done. When the read path reports a closed shard itself, that signal
/// plugs in here and the subscription code stays as it is.
/// </summary>
internal static class ShardEnd
{
    /// <summary>True when the shard is closed and <paramref name="outcome"/> read past its last record; then <paramref name="children"/> are the shards it split or merged into.</summary>
    public static bool IsReached(StreamRoute route, int shardIndex, ReadOutcome outcome, out IReadOnlyList<ShardDefinition> children)
    {
        children = [];
        ShardDefinition? shard = null;
        foreach (var candidate in route.Definition.Shards)
        {
            if (candidate.ShardIndex == shardIndex)
            {
                shard = candidate;
                break;
            }
        }

        // A closed shard takes no more records, so an empty read at or past its end is the end.
        if (shard is not { State: ShardState.Closed } || outcome.Count > 0 || outcome.NextOffset < (shard.EndingOffset ?? 0))
        {
            return false;
        }

        children = [.. route.Definition.Shards.Where(s => s.ParentShardIndex == shardIndex || s.AdjacentParentShardIndex == shardIndex).OrderBy(s => s.ShardIndex)];
        return true;
    }
}
