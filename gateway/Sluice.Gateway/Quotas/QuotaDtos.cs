namespace Sluice.Gateway.Quotas;

/// <summary>A tenant's byte limits: its own (null: the gateway's default), what applies, and the per-shard limits.</summary>
public sealed record TenantQuotaDto(
    string Tenant,
    long? IngressBytesPerSecond,
    long? EgressBytesPerSecond,
    long EffectiveIngressBytesPerSecond,
    long EffectiveEgressBytesPerSecond,
    ShardQuotaDto Shard,
    double BurstSeconds,
    bool Enabled);

/// <summary>What every shard may take, Kinesis' limits unless configured otherwise.</summary>
public sealed record ShardQuotaDto(long IngressBytesPerSecond, long IngressRecordsPerSecond, long EgressBytesPerSecond, long ReadCallsPerSecond);

/// <summary>A stream's byte limits over all its shards (null: none beyond the shards' and the tenant's).</summary>
public sealed record StreamQuotaDto(string Tenant, string Stream, long? IngressBytesPerSecond, long? EgressBytesPerSecond);

/// <summary>PUT body of a tenant's or a stream's quotas: each limit in bytes per second, or null (absent) for none/the default.</summary>
public sealed record QuotaBody(long? IngressBytesPerSecond, long? EgressBytesPerSecond);

/// <summary>A tenant's usage over a time range, per minute or hour and stream.</summary>
public sealed record UsageDto(string Tenant, DateTimeOffset From, DateTimeOffset To, string Granularity, IReadOnlyList<UsageRowDto> Usage);

/// <summary>Usage of one stream in one minute or hour.</summary>
public sealed record UsageRowDto(DateTimeOffset Start, string Stream, long RecordsIn, long BytesIn, long RecordsOut, long BytesOut, long Throttled);
