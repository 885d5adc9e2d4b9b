namespace Sluice.Gateway.Quotas;

/// <summary>A stream's byte limits over all its shards (null: none).</summary>
public sealed record StreamLimits(long? IngressBytesPerSecond, long? EgressBytesPerSecond);
