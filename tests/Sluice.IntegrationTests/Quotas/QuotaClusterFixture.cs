using System.Globalization;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Quotas;

/// <summary>
/// A one-node cluster with low quotas, so tests can run into them quickly: every shard takes
/// <see cref="ShardIngressBytes"/> and <see cref="ShardIngressRecords"/> per second in, serves <see cref="ShardEgressBytes"/>
/// and <see cref="ShardReadCalls"/> GetRecords per second out, with a burst of one second of each.
/// </summary>
public sealed class QuotaClusterFixture() : SluiceCluster(nodeCount: 1, quotas: new Dictionary<string, string>
{
    ["ShardIngressBytesPerSecond"] = ShardIngressBytes.ToString(CultureInfo.InvariantCulture),
    ["ShardIngressRecordsPerSecond"] = ShardIngressRecords.ToString(CultureInfo.InvariantCulture),
    ["ShardEgressBytesPerSecond"] = ShardEgressBytes.ToString(CultureInfo.InvariantCulture),
    ["ShardReadCallsPerSecond"] = ShardReadCalls.ToString(CultureInfo.InvariantCulture),
    ["TenantIngressBytesPerSecond"] = TenantBytes.ToString(CultureInfo.InvariantCulture),
    ["TenantEgressBytesPerSecond"] = TenantBytes.ToString(CultureInfo.InvariantCulture),
    ["BurstSeconds"] = "1",
})
{
    public const long ShardIngressBytes = 32 * 1024;
    public const long ShardIngressRecords = 200;
    public const long ShardEgressBytes = 256 * 1024;
    public const long ShardReadCalls = 5;
    public const long TenantBytes = 4 * 1024 * 1024;
}

[CollectionDefinition(Name)]
public sealed class QuotaClusterCollection : ICollectionFixture<QuotaClusterFixture>
{
    public const string Name = "quota-cluster";
}
