namespace Sluice.Metadata;

/// <summary>What an <see cref="AccessChange"/> is about.</summary>
public enum AccessChangeKind
{
    Tenant,
    AccessKey,
}
