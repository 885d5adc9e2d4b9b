namespace Sluice.Gateway.Admin;

/// <summary>A storage node in the cluster overview.</summary>
/// <param name="Health">healthy (live, every replica in sync), lagging (live, some replica out of the ISR) or down (no heartbeat within the node lease).</param>
/// <param name="HeartbeatAgeMs">Milliseconds since its last heartbeat.</param>
/// <param name="Replicas">Replicas of open shards it holds (streams not being deleted).</param>
/// <param name="Leaders">Open shards it leads.</param>
/// <param name="LaggingReplicas">Its replicas that are not in their shard's ISR: how far behind it is, in shards.</param>
public sealed record ClusterOverviewNodeDto(
    string Id, string Address, string? Rack, bool Live, string Health, long HeartbeatAgeMs, long NodeEpoch, int Replicas, int Leaders, int LaggingReplicas);

/// <summary>A tenant's share of the cluster.</summary>
/// <param name="Streams">Its streams in any status.</param>
/// <param name="OpenShards">Open shards over those streams.</param>
public sealed record ClusterOverviewTenantDto(Guid TenantId, string Tenant, string Status, int Streams, int OpenShards);

/// <summary>Cluster-wide counts.</summary>
/// <param name="ShardsWithoutLiveLeader">Open shards whose leader is missing or not live: their writes fail until the controller elects one.</param>
/// <param name="UnderReplicatedShards">Open shards with fewer in-sync replicas than replicas.</param>
public sealed record ClusterOverviewTotalsDto(
    int Nodes, int LiveNodes, int Tenants, int Streams, int OpenShards, int ShardsWithoutLiveLeader, int UnderReplicatedShards);

/// <summary>GET /admin/v1/cluster.</summary>
public sealed record ClusterOverviewDto(
    DateTimeOffset At, ClusterOverviewTotalsDto Totals, IReadOnlyList<ClusterOverviewNodeDto> Nodes, IReadOnlyList<ClusterOverviewTenantDto> Tenants);
