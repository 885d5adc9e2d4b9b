namespace Sluice.Metadata.Internal;

/// <summary>
/// Spreads shards over nodes: each shard's leader goes to the node leading the fewest shards so
/// far, its followers to the nodes holding the fewest replicas; ties break by node id so placement
/// is deterministic.
/// </summary>
internal sealed class ShardPlacer
{
    private readonly List<string> _nodes;
    private readonly Dictionary<string, int> _leaders;
    private readonly Dictionary<string, int> _replicas;

    public ShardPlacer(IReadOnlyList<string> liveNodes, IReadOnlyDictionary<string, int> existingLeaderCounts)
    {
        _nodes = [.. liveNodes.Order(StringComparer.Ordinal)];
        _leaders = _nodes.ToDictionary(n => n, n => existingLeaderCounts.GetValueOrDefault(n), StringComparer.Ordinal);
        _replicas = _nodes.ToDictionary(n => n, n => _leaders[n], StringComparer.Ordinal);
    }

    public string[] Place(int replicationFactor)
    {
        var result = new string[replicationFactor];
        var leader = _nodes.OrderBy(n => _leaders[n]).ThenBy(n => _replicas[n]).ThenBy(n => n, StringComparer.Ordinal).First();
        result[0] = leader;
        _leaders[leader]++;
        _replicas[leader]++;
        var followers = _nodes.Where(n => n != leader)
            .OrderBy(n => _replicas[n]).ThenBy(n => n, StringComparer.Ordinal)
            .Take(replicationFactor - 1);
        var i = 1;
        foreach (var follower in followers)
        {
            result[i++] = follower;
            _replicas[follower]++;
        }

        return result;
    }
}
