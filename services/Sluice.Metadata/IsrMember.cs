namespace Sluice.Metadata;

/// <summary>A member of a shard's in-sync replica set: its node and the node epoch it had when it joined.</summary>
public readonly record struct IsrMember(string NodeId, long NodeEpoch);
