namespace Sluice.Controller;

/// <summary>
/// One shard the <see cref="RebalancePlanner"/> moves: from <see cref="Replicas"/> led by <see cref="Leader"/> to
/// <see cref="TargetReplicas"/>, whose first replica is the intended leader.
/// </summary>
public sealed record RebalanceMove(long StreamId, int ShardIndex, IReadOnlyList<string> Replicas, string? Leader, IReadOnlyList<string> TargetReplicas)
{
    /// <summary>The leader once the move completes.</summary>
    public string TargetLeader => TargetReplicas[0];

    /// <summary>Replicas the move adds.</summary>
    public IEnumerable<string> Adding => TargetReplicas.Where(t => !Replicas.Contains(t, StringComparer.Ordinal));

    /// <summary>Replicas the move removes.</summary>
    public IEnumerable<string> Removing => Replicas.Where(r => !TargetReplicas.Contains(r, StringComparer.Ordinal));
}
