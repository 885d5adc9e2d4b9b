namespace Sluice.Gateway.Quotas.Internal;

/// <summary>One shard's part of a put: its two buckets and what it takes from them.</summary>
internal readonly record struct ShardDemand(string RecordsKey, string BytesKey, int Records, long Bytes);

/// <summary>
/// Everything one put takes: per shard records and bytes, and the sum of the admitted shards' bytes from the tenant's
/// bucket and the stream's (when it has a limit). A shard is admitted only when all of its buckets have room.
/// </summary>
internal sealed class WriteDemand
{
    public required ShardDemand[] Shards { get; init; }

    public required BucketRate ShardRecords { get; init; }

    public required BucketRate ShardBytes { get; init; }

    public required string TenantKey { get; init; }

    public required BucketRate Tenant { get; init; }

    public string? StreamKey { get; init; }

    public BucketRate Stream { get; init; }

    public required long IdleExpiryMs { get; init; }
}

/// <summary>
/// A read of one shard: one call from the shard's call bucket when <see cref="CallsKey"/> is set, and its bytes (charged
/// after the read) from the shard's, the tenant's and the stream's egress buckets, which may go into debt.
/// </summary>
internal sealed class ReadDemand
{
    public string? CallsKey { get; init; }

    public BucketRate Calls { get; init; }

    public required string ShardBytesKey { get; init; }

    public required BucketRate ShardBytes { get; init; }

    public required string TenantKey { get; init; }

    public required BucketRate Tenant { get; init; }

    public string? StreamKey { get; init; }

    public BucketRate Stream { get; init; }

    public required long IdleExpiryMs { get; init; }
}
