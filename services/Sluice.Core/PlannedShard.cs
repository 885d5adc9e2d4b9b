namespace Sluice.Core;

/// <summary>A shard as a resharding plan sees it: its index and its hash-key range.</summary>
public readonly record struct PlannedShard(int Index, HashKeyRange Range);
