namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>One shard's row of the <c>shards</c> table: where its replicas are and who leads it, at one moment.</summary>
public sealed record ShardReplicationState(
    int ShardIndex,
    string State,
    string? LeaderNodeId,
    int LeaderEpoch,
    int PartitionEpoch,
    IReadOnlyList<string> Replicas,
    IReadOnlyList<string> Isr)
{
    /// <summary>The replicas that do not lead the shard.</summary>
    public IEnumerable<string> Followers => Replicas.Where(r => r != LeaderNodeId);
}
