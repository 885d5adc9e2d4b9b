namespace Sluice.Metadata;

/// <summary>Where a consumer's subscription to a shard stands in the metadata store.</summary>
public enum SubscriptionLeaseState
{
    /// <summary>It holds the shard and its consumer is ACTIVE.</summary>
    Held,

    /// <summary>Another subscription of the consumer holds the shard now.</summary>
    TakenOver,

    /// <summary>The consumer is no longer ACTIVE, or gone (deregistered, or its stream deleted).</summary>
    ConsumerGone,
}
