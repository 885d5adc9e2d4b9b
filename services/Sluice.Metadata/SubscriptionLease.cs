namespace Sluice.Metadata;

/// <summary>A subscription of a consumer to one shard, as <see cref="ConsumerCatalog"/> leases it.</summary>
public readonly record struct SubscriptionLease(long ConsumerId, int ShardIndex, Guid SubscriptionId);
