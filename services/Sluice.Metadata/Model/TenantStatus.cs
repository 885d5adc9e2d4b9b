namespace Sluice.Metadata.Model;

/// <summary>Whether a tenant may use the service.</summary>
public enum TenantStatus
{
    Active,
    Suspended,
}
