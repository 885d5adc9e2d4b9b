namespace Sluice.Metadata.Model;

/// <summary>A customer of the service; every other entity belongs to exactly one tenant.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }

    /// <summary>Unique, human-readable name (the JWT's tenant claim).</summary>
    public required string Name { get; set; }

    /// <summary>The 12-digit account id used in ARNs and Kinesis error messages.</summary>
    public required string AccountId { get; set; }

    public TenantStatus Status { get; set; } = TenantStatus.Active;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Bytes per second the whole tenant may write; null takes the gateway's default.</summary>
    public long? IngressBytesPerSecond { get; set; }

    /// <summary>Bytes per second the whole tenant may read; null takes the gateway's default.</summary>
    public long? EgressBytesPerSecond { get; set; }
}
