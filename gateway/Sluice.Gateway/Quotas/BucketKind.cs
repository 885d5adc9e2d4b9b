namespace Sluice.Gateway.Quotas;

/// <summary>Which token bucket refused a request; the numbers are the Lua script's.</summary>
public enum BucketKind
{
    None = 0,
    ShardRecordsIn = 1,
    ShardBytesIn = 2,
    TenantBytesIn = 3,
    StreamBytesIn = 4,
    ShardReadCalls = 5,
    ShardBytesOut = 6,
    TenantBytesOut = 7,
    StreamBytesOut = 8,
}
