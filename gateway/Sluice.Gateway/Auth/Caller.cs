using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Auth;

/// <summary>
/// Who is calling, resolved the same way whichever face the request came in by (<see cref="CallerResolver"/>): the tenant, the
/// principal name ACL entries name (<c>user:{sub}</c>, <c>service:{name}</c>, or <see cref="TenantKeyPrincipal"/>), the roles,
/// and the tenant's ACL snapshot the request is authorised against.
/// </summary>
public sealed class Caller(Tenant tenant, string principal, IReadOnlySet<string> roles, bool isTenantAdmin, AccessControlSnapshot accessControl)
{
    /// <summary>The principal name of a request signed with a tenant access key (one that belongs to no service account).</summary>
    public const string TenantKeyPrincipal = "tenant-admin";

    public Tenant Tenant { get; } = tenant;

    /// <summary>The name ACL entries match: <c>user:…</c>, <c>service:…</c> or <see cref="TenantKeyPrincipal"/>.</summary>
    public string Principal { get; } = principal;

    public IReadOnlySet<string> Roles { get; } = roles;

    /// <summary>A tenant admin may do everything in its tenant, whatever the ACL entries say.</summary>
    public bool IsTenantAdmin { get; } = isTenantAdmin;

    /// <summary>The tenant's principals and ACL entries when the request was authenticated.</summary>
    public AccessControlSnapshot AccessControl { get; } = accessControl;

    public override string ToString() => $"{Principal} of tenant {Tenant.Name}";
}
