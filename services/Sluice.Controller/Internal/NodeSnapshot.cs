namespace Sluice.Controller.Internal;

/// <summary>A storage node's row as one tick read it.</summary>
internal readonly record struct NodeSnapshot(string Id, long NodeEpoch, DateTimeOffset HeartbeatAt);
