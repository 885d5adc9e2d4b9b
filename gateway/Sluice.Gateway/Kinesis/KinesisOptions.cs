using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway.Kinesis;

/// <summary>The Kinesis-compatible API's settings, bound from <c>Sluice:Kinesis</c>.</summary>
public sealed record KinesisOptions
{
    public const string Section = "Sluice:Kinesis";

    /// <summary>How long a shard iterator stays valid; Kinesis uses 5 minutes.</summary>
    public TimeSpan IteratorLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Open shards an account may have over all its streams (DescribeLimits' ShardLimit).</summary>
    [Range(1, 1_000_000)]
    public int AccountShardLimit { get; init; } = 500;

    /// <summary>On-demand streams an account may have (DescribeLimits' OnDemandStreamCountLimit).</summary>
    [Range(0, 100_000)]
    public int OnDemandStreamLimit { get; init; } = 50;

    /// <summary>Shards an on-demand stream starts with, as Kinesis does.</summary>
    [Range(1, 1000)]
    public int OnDemandInitialShards { get; init; } = 4;

    /// <summary>Consumers a stream may have (RegisterStreamConsumer); Kinesis allows 20.</summary>
    [Range(1, 1000)]
    public int MaxConsumersPerStream { get; init; } = 20;

    /// <summary>Consumers of a stream that may be CREATING at once; Kinesis allows 5.</summary>
    [Range(1, 1000)]
    public int MaxCreatingConsumersPerStream { get; init; } = 5;

    /// <summary>How long a registered consumer stays CREATING before it is ACTIVE.</summary>
    public TimeSpan ConsumerActivationDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a deregistered consumer stays DELETING before it is gone.</summary>
    public TimeSpan ConsumerDeletionDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a SubscribeToShard lasts before the service ends it; Kinesis uses 5 minutes.</summary>
    public TimeSpan SubscriptionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest a subscription stays silent: with nothing new for this long it sends an event
    /// without records (with its continuation sequence number and MillisBehindLatest), so clients'
    /// read timeouts never fire. At most 10 seconds, the read path's longest wait.
    /// </summary>
    public TimeSpan SubscriptionHeartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A subscription younger than this refuses a new one for the same consumer and shard (ResourceInUseException); an older one is taken over. Kinesis: 5 seconds.</summary>
    public TimeSpan SubscriptionTakeoverAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a gateway checks that its subscriptions still hold their shards and their consumers are ACTIVE.</summary>
    public TimeSpan SubscriptionLeaseCheckInterval { get; init; } = TimeSpan.FromSeconds(2);
}
