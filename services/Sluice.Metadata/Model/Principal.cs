namespace Sluice.Metadata.Model;

/// <summary>
/// An identity within a tenant that ACLs name. Its <see cref="Name"/> is the string ACL entries use:
/// <c>user:{subject}</c> for an OIDC user (the token's subject claim), <c>service:{name}</c> for a service account.
/// Access keys belong to a service account (or to the tenant itself, with no principal).
/// </summary>
public sealed class Principal
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Unique within the tenant: <c>user:…</c> or <c>service:…</c>.</summary>
    public required string Name { get; set; }

    public PrincipalKind Kind { get; set; }

    /// <summary>For a user: the issuer whose tokens name it; null for a service account.</summary>
    public string? Issuer { get; set; }

    /// <summary>Free text: who or what this is.</summary>
    public string Description { get; set; } = "";

    /// <summary>Roles granted in the tenant (for example <c>tenant-admin</c>); users also get the roles their token carries.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>A disabled principal cannot authenticate (tokens naming it and its access keys are refused).</summary>
    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
