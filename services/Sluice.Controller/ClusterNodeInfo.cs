namespace Sluice.Controller;

/// <summary>A registered storage node, whether its heartbeat is fresh, and how many replicas it holds and shards it leads.</summary>
public sealed record ClusterNodeInfo(string Id, string Address, string? Rack, bool Live, long NodeEpoch, DateTimeOffset HeartbeatAt, int Replicas, int Leaders);
