namespace Sluice.Metadata.Model;

/// <summary>Whether an ACL entry grants or refuses; a matching deny always wins.</summary>
public enum AclEffect
{
    Allow,
    Deny,
}
