namespace Sluice.Metadata.Internal;

/// <summary>
/// Spreads shards over nodes: each shard's leader goes to the node leading the fewest shards so
/// far; its followers, one at a time, to a node in a rack the shard's replicas do not use yet when
/// there is one, then to the node holding the fewest replicas. Ties break by node id so placement
/// is deterministic. A node that declares no rack counts as a rack of its own, so a cluster
/// without racks is placed by load alone.
/// </summary>
internal sealed class ShardPlacer
{
    private readonly List<string> _nodes;
    private readonly Dictionary<string, string> _racks;
    private readonly Dictionary<string, int> _leaders;
    private readonly Dictionary<string, int> _replicas;

    public ShardPlacer(IReadOnlyList<PlacementNode> liveNodes, IReadOnlyDictionary<string, int> existingLeaderCounts)
    {
        _nodes = [.. liveNodes.Select(n => n.Id).Order(StringComparer.Ordinal)];
        _racks = liveNodes.ToDictionary(n => n.Id, n => string.IsNullOrEmpty(n.Rack) ? "\0node:" + n.Id : n.Rack, StringComparer.Ordinal);
        _leaders = _nodes.ToDictionary(n => n, n => existingLeaderCounts.GetValueOrDefault(n), StringComparer.Ordinal);
        _replicas = _nodes.ToDictionary(n => n, n => _leaders[n], StringComparer.Ordinal);
    }

    public string[] Place(int replicationFactor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, _nodes.Count);
        var result = new string[replicationFactor];
        var leader = _nodes.OrderBy(n => _leaders[n]).ThenBy(n => _replicas[n]).ThenBy(n => n, StringComparer.Ordinal).First();
        result[0] = leader;
        _leaders[leader]++;
        _replicas[leader]++;
        var usedRacks = new HashSet<string>(StringComparer.Ordinal) { _racks[leader] };
        for (var i = 1; i < replicationFactor; i++)
        {
            var follower = _nodes.Where(n => Array.IndexOf(result, n, 0, i) < 0)
                .OrderBy(n => usedRacks.Contains(_racks[n]) ? 1 : 0)
                .ThenBy(n => _replicas[n])
                .ThenBy(n => n, StringComparer.Ordinal)
                .First();
            result[i] = follower;
            usedRacks.Add(_racks[follower]);
            _replicas[follower]++;
        }

        return result;
    }
}
