using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>A principal as the admin API shows it.</summary>
/// <param name="Id">What an access key names to act as this service account.</param>
/// <param name="Name"><c>user:{subject}</c> or <c>service:{name}</c>: what ACL entries name.</param>
/// <param name="Kind"><c>user</c> or <c>service</c>.</param>
/// <param name="Issuer">For a user bound to one issuer: its tokens only name this principal.</param>
public sealed record PrincipalDto(Guid Id, string Name, string Kind, string? Issuer, string Description, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset CreatedAt)
{
    public static PrincipalDto From(Principal principal) => new(
        principal.Id, principal.Name, principal.Kind == PrincipalKind.User ? "user" : "service", principal.Issuer, principal.Description, principal.Roles, principal.Disabled, principal.CreatedAt);
}

/// <summary>Response of GET …/principals.</summary>
public sealed record PrincipalListDto(IReadOnlyList<PrincipalDto> Principals);

/// <summary>Body of POST …/principals.</summary>
/// <param name="Name"><c>user:{subject}</c> (a user of an OIDC issuer, by its tokens' <c>sub</c>) or <c>service:{name}</c> (a service account, for access keys).</param>
/// <param name="Issuer">For a user: bind it to tokens of this issuer only (any issuer when not set).</param>
/// <param name="Roles">Roles in the tenant, e.g. <c>tenant-admin</c>; never the platform admin role.</param>
public sealed record CreatePrincipalBody(string? Name, string? Description, IReadOnlyList<string>? Roles, string? Issuer);

/// <summary>Body of PATCH …/principals/{principal}: what is given changes.</summary>
public sealed record UpdatePrincipalBody(IReadOnlyList<string>? Roles, string? Description, bool? Disabled);

/// <summary>An ACL entry as the admin API shows it.</summary>
/// <param name="Effect"><c>allow</c> or <c>deny</c>.</param>
/// <param name="Operation"><c>produce</c>, <c>consume</c> or <c>manage</c>.</param>
public sealed record AclEntryDto(Guid Id, string Principal, string Effect, string Operation, string StreamPattern, DateTimeOffset CreatedAt)
{
    public static AclEntryDto From(AclEntry entry) => new(
        entry.Id, entry.Principal, entry.Effect.ToString().ToLowerInvariant(), entry.Operation.ToString().ToLowerInvariant(), entry.StreamPattern, entry.CreatedAt);
}

/// <summary>Response of GET …/acls.</summary>
public sealed record AclListDto(IReadOnlyList<AclEntryDto> Entries);

/// <summary>Body of POST …/acls.</summary>
/// <param name="Principal"><c>user:…</c>, <c>service:…</c> or <c>*</c> (every principal of the tenant).</param>
/// <param name="Effect"><c>allow</c> or <c>deny</c> (a matching deny always wins).</param>
/// <param name="Operation"><c>produce</c>, <c>consume</c> or <c>manage</c>.</param>
/// <param name="StreamPattern">A stream name, a prefix ending in <c>*</c> (<c>orders-*</c>), or <c>*</c>.</param>
public sealed record AddAclBody(string? Principal, string? Effect, string? Operation, string? StreamPattern);
