namespace Sluice.Gateway.Quotas;

/// <summary>A tenant's own byte limits (null: the configured default) and those of its streams that have any.</summary>
public sealed record TenantLimits(long? IngressBytesPerSecond, long? EgressBytesPerSecond, IReadOnlyDictionary<long, StreamLimits> Streams)
{
    public static readonly IReadOnlyDictionary<long, StreamLimits> NoStreams = new Dictionary<long, StreamLimits>();
}
