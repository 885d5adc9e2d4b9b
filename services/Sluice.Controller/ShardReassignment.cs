namespace Sluice.Controller;

/// <summary>A shard whose reassignment is under way: its replicas now (old and new), its target, leader and ISR.</summary>
public sealed record ShardReassignment(
    long StreamId, string StreamName, int ShardIndex, IReadOnlyList<string> Replicas, IReadOnlyList<string> TargetReplicas, string? Leader, IReadOnlyList<string> Isr)
{
    /// <summary>Target replicas not in the ISR yet (still catching up).</summary>
    public IEnumerable<string> CatchingUp => TargetReplicas.Where(t => !Isr.Contains(t, StringComparer.Ordinal));
}
