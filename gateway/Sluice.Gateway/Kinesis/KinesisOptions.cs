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
}
