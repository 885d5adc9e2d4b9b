using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway.Quotas;

/// <summary>
/// Throughput quotas, bound from <c>Sluice:Quotas</c>: token buckets in Redis (<c>ConnectionStrings:Redis</c>) per shard
/// (Kinesis' limits by default), per tenant and per stream. Every bucket holds <see cref="BurstSeconds"/> of its rate, so a
/// short burst above the rate passes, as on Kinesis.
/// </summary>
public sealed record QuotaOptions
{
    public const string Section = "Sluice:Quotas";

    /// <summary>Kinesis' write limit of a shard: 1 MiB of data and partition keys per second.</summary>
    public const long KinesisShardIngressBytes = 1024 * 1024;

    /// <summary>Kinesis' write limit of a shard: 1,000 records per second.</summary>
    public const long KinesisShardIngressRecords = 1000;

    /// <summary>Kinesis' read limit of a shard: 2 MiB per second.</summary>
    public const long KinesisShardEgressBytes = 2 * 1024 * 1024;

    /// <summary>Kinesis' read limit of a shard: 5 GetRecords calls per second.</summary>
    public const long KinesisShardReadCalls = 5;

    /// <summary>Off: nothing is throttled and Redis is not used (usage is still metered).</summary>
    public bool Enabled { get; init; } = true;

    [Range(1, long.MaxValue)]
    public long ShardIngressBytesPerSecond { get; init; } = KinesisShardIngressBytes;

    [Range(1, long.MaxValue)]
    public long ShardIngressRecordsPerSecond { get; init; } = KinesisShardIngressRecords;

    [Range(1, long.MaxValue)]
    public long ShardEgressBytesPerSecond { get; init; } = KinesisShardEgressBytes;

    [Range(1, long.MaxValue)]
    public long ShardReadCallsPerSecond { get; init; } = KinesisShardReadCalls;

    /// <summary>A tenant's write limit over all its streams when the tenant has none of its own (<c>tenants.ingress_bytes_per_second</c>).</summary>
    [Range(1, long.MaxValue)]
    public long TenantIngressBytesPerSecond { get; init; } = 64L * 1024 * 1024;

    /// <summary>A tenant's read limit over all its streams when the tenant has none of its own.</summary>
    [Range(1, long.MaxValue)]
    public long TenantEgressBytesPerSecond { get; init; } = 128L * 1024 * 1024;

    /// <summary>Capacity of every bucket in seconds of its rate: the burst allowed after a quiet spell.</summary>
    [Range(0.2, 300)]
    public double BurstSeconds { get; init; } = 1;

    /// <summary>
    /// Gateways sharing the quotas: while Redis cannot be reached each gateway limits on its own to its share of every
    /// limit (the limit divided by this).
    /// </summary>
    [Range(1, 10_000)]
    public int GatewayCount { get; init; } = 1;

    /// <summary>Prefix of every Redis key (several clusters may share one Redis).</summary>
    [Required]
    [MinLength(1)]
    public string KeyPrefix { get; init; } = "sluice:q:";

    /// <summary>How long a bucket nobody used stays in Redis (or in memory) before it expires.</summary>
    public TimeSpan IdleExpiry { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Connect and command timeout towards Redis: short, so a dead Redis never holds a request up for long.</summary>
    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>While Redis is unavailable, how often it is probed in the background.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often tenant and stream limits are re-read from PostgreSQL.</summary>
    public TimeSpan LimitsRefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often metered usage is added to <c>usage_minutes</c>.</summary>
    public TimeSpan UsageFlushInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The durations are positive and within reason.</summary>
    public bool HasValidDurations() =>
        IdleExpiry >= TimeSpan.FromSeconds(1) && IdleExpiry <= TimeSpan.FromDays(1)
        && RedisTimeout >= TimeSpan.FromMilliseconds(10) && RedisTimeout <= TimeSpan.FromSeconds(30)
        && ProbeInterval >= TimeSpan.FromMilliseconds(50) && ProbeInterval <= TimeSpan.FromMinutes(5)
        && LimitsRefreshInterval >= TimeSpan.FromMilliseconds(100) && LimitsRefreshInterval <= TimeSpan.FromMinutes(10)
        && UsageFlushInterval >= TimeSpan.FromMilliseconds(100) && UsageFlushInterval <= TimeSpan.FromMinutes(1);

    /// <summary>A bucket must outlive the time it takes to refill, or a throttled client would be let in early by expiry.</summary>
    public bool IdleExpiryCoversBurst() => IdleExpiry.TotalSeconds >= BurstSeconds;
}
