namespace Sluice.Controller;

/// <summary>A shard as the <see cref="RebalancePlanner"/> sees it: its replicas (the preferred leader first) and its leader (null: offline).</summary>
public sealed record RebalanceShard(long StreamId, int ShardIndex, IReadOnlyList<string> Replicas, string? Leader);
