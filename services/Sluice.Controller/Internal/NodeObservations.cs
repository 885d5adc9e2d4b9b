namespace Sluice.Controller.Internal;

/// <summary>
/// What the active controller has seen of each node's heartbeat, on its own clock. A node is dead
/// only when its heartbeat (or node epoch) has not changed for a whole lease of the controller's
/// own observation, and the controller judges at all only once it has observed without a gap for
/// a lease: after a PostgreSQL outage, or when a controller takes over, nobody's silence during
/// the gap counts against them, so no election is spurious.
/// </summary>
internal sealed class NodeObservations(TimeSpan lease, DateTimeOffset start)
{
    private readonly Dictionary<string, Observation> _nodes = new(StringComparer.Ordinal);
    private DateTimeOffset _windowStart = start;
    private DateTimeOffset? _lastObserved;

    /// <summary>True once the controller has observed for a whole lease without a gap of one.</summary>
    public bool CanJudge(DateTimeOffset now) => now - _windowStart >= lease;

    /// <summary>Records one tick's reading of the nodes.</summary>
    public void Observe(IReadOnlyList<NodeSnapshot> nodes, DateTimeOffset now)
    {
        if (_lastObserved is { } last && now - last >= lease)
        {
            // A gap as long as a lease (a stalled tick, a slow database): start over.
            _windowStart = now;
            _nodes.Clear();
        }

        _lastObserved = now;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            seen.Add(node.Id);
            if (!_nodes.TryGetValue(node.Id, out var before) || before.HeartbeatAt != node.HeartbeatAt || before.NodeEpoch != node.NodeEpoch)
            {
                _nodes[node.Id] = new Observation(node.HeartbeatAt, node.NodeEpoch, now);
            }
        }

        foreach (var gone in _nodes.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _nodes.Remove(gone);
        }
    }

    /// <summary>Nodes whose heartbeat was seen to change within the last lease (every node while the controller cannot judge yet).</summary>
    public HashSet<string> LiveNodes(DateTimeOffset now) =>
        [.. _nodes.Where(n => !CanJudge(now) || now - n.Value.ChangedAt < lease).Select(n => n.Key)];

    private readonly record struct Observation(DateTimeOffset HeartbeatAt, long NodeEpoch, DateTimeOffset ChangedAt);
}
