namespace Sluice.Metadata.Model;

/// <summary>
/// The one active SubscribeToShard of a consumer on a shard, wherever it is served: a newer
/// subscription takes the row over (after Kinesis' 5 seconds), and the gateway serving the older
/// one sees the row no longer names it and ends it.
/// </summary>
public sealed class ConsumerSubscription
{
    public long ConsumerId { get; set; }

    public int ShardIndex { get; set; }

    /// <summary>Names the subscription that holds the shard.</summary>
    public Guid SubscriptionId { get; set; }

    /// <summary>When the holding subscription started (the database's clock).</summary>
    public DateTimeOffset StartedAt { get; set; }
}
