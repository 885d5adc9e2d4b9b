namespace Sluice.Metadata.Model;

/// <summary>Whether an access key may sign requests.</summary>
public enum AccessKeyStatus
{
    Active,
    Inactive,
}
