using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>
/// REST: a tenant's principals (<c>/admin/v1/tenants/{tenant}/principals</c>) and ACL entries (<c>…/acls</c>), for a platform admin or
/// the tenant's own admins (<see cref="TenantAdminPolicy"/>). Every change is audited and takes effect on every gateway at once.
/// </summary>
public static class AccessControlEndpoints
{
    private const int MaxDescriptionLength = 256;
    private const int MaxRoleLength = 64;
    private const int MaxRoles = 32;

    public static IEndpointRouteBuilder MapAccessControlAdminApi(this IEndpointRouteBuilder app)
    {
        var principals = app.MapGroup("/admin/v1/tenants/{tenant}/principals").WithTags("Admin: access control").RequireAuthorization(TenantAdminPolicy.Name);
        principals.MapGet("/", ListPrincipalsAsync)
            .WithSummary("List the tenant's principals")
            .WithDescription("Users (`user:{sub}`, by their tokens' subject) and service accounts (`service:{name}`, which access keys act as), in name order. "
                + "Needs a platform admin token or a tenant admin token of this tenant; any other caller gets the 404 of a missing tenant.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        principals.MapPost("/", CreatePrincipalAsync)
            .WithSummary("Create a principal")
            .WithDescription("Creates a user (`user:{sub}`, optionally bound to one issuer) or a service account (`service:{name}`) with roles "
                + "(e.g. `tenant-admin`, which may do everything in the tenant; never `platform-admin`) and a description. 409 when the name exists.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        principals.MapGet("/{principal}", GetPrincipalAsync)
            .WithSummary("Describe a principal")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        principals.MapPatch("/{principal}", UpdatePrincipalAsync)
            .WithSummary("Change a principal's roles, description or disabled flag")
            .WithDescription("Changes what the body gives. A disabled principal cannot authenticate: its tokens get 401 and its access keys are refused "
                + "like unknown keys, on every gateway at once.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        principals.MapDelete("/{principal}", DeletePrincipalAsync)
            .WithSummary("Delete a principal")
            .WithDescription("Deletes the principal, its access keys and the ACL entries that name it.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var acls = app.MapGroup("/admin/v1/tenants/{tenant}/acls").WithTags("Admin: access control").RequireAuthorization(TenantAdminPolicy.Name);
        acls.MapGet("/", ListAclsAsync)
            .WithSummary("List the tenant's ACL entries")
            .WithDescription("Every entry, or those naming `principal` (exactly, `*` included) and those whose pattern matches the stream `stream`. "
                + "Tenant admins may do everything without entries; anyone else needs an allow entry for the operation on the stream, and a "
                + "matching deny always wins.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        acls.MapPost("/", AddAclAsync)
            .WithSummary("Add an ACL entry")
            .WithDescription("`effect` allow|deny, `operation` produce|consume|manage, `streamPattern` a stream name, a prefix ending in `*` or `*`, "
                + "`principal` `user:…`, `service:…` or `*` (it need not exist yet). 409 when the same entry exists.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        acls.MapDelete("/{id:guid}", RemoveAclAsync)
            .WithSummary("Remove an ACL entry")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<PrincipalListDto>, ProblemHttpResult>> ListPrincipalsAsync(
        string tenant, TenantDirectory tenants, AccessControlStore store, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        var list = await store.ListPrincipalsAsync(found.Id, cancellationToken);
        return TypedResults.Ok(new PrincipalListDto([.. list.Select(PrincipalDto.From)]));
    }

    private static async Task<Results<Created<PrincipalDto>, ProblemHttpResult>> CreatePrincipalAsync(
        string tenant, CreatePrincipalBody body, HttpContext http, TenantDirectory tenants, AccessControlStore store, IOptions<AuthOptions> auth,
        CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        if (AclRules.PrincipalProblem(body.Name, allowWildcard: false) is { } problem)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, problem);
        }

        var name = body.Name!;
        var kind = name.StartsWith("user:", StringComparison.Ordinal) ? PrincipalKind.User : PrincipalKind.ServiceAccount;
        if (body.Issuer is not null && (kind != PrincipalKind.User || !Uri.TryCreate(body.Issuer, UriKind.Absolute, out _) || body.Issuer.Length > 1024))
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, "'issuer' binds a user (user:…) to one issuer: give the issuer's absolute URL, as its tokens' 'iss' spells it.");
        }

        var roles = ValidRoles(body.Roles, auth.Value);
        var description = ValidDescription(body.Description);
        var principal = await store.CreatePrincipalAsync(found.Id, name, kind, body.Issuer, description, roles, Actor(http, found, auth.Value), cancellationToken);
        return TypedResults.Created($"/admin/v1/tenants/{Uri.EscapeDataString(tenant)}/principals/{Uri.EscapeDataString(name)}", PrincipalDto.From(principal));
    }

    private static async Task<Results<Ok<PrincipalDto>, ProblemHttpResult>> GetPrincipalAsync(
        string tenant, string principal, TenantDirectory tenants, AccessControlStore store, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        return await store.FindPrincipalAsync(found.Id, principal, cancellationToken) is { } row
            ? TypedResults.Ok(PrincipalDto.From(row))
            : PrincipalNotFound(principal);
    }

    private static async Task<Results<Ok<PrincipalDto>, ProblemHttpResult>> UpdatePrincipalAsync(
        string tenant, string principal, UpdatePrincipalBody body, HttpContext http, TenantDirectory tenants, AccessControlStore store, IOptions<AuthOptions> auth,
        CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        var roles = body.Roles is null ? null : ValidRoles(body.Roles, auth.Value);
        var description = body.Description is null ? null : ValidDescription(body.Description);
        var updated = await store.UpdatePrincipalAsync(found.Id, principal, roles, description, body.Disabled, Actor(http, found, auth.Value), cancellationToken);
        return updated is null ? PrincipalNotFound(principal) : TypedResults.Ok(PrincipalDto.From(updated));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePrincipalAsync(
        string tenant, string principal, HttpContext http, TenantDirectory tenants, AccessControlStore store, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        return await store.DeletePrincipalAsync(found.Id, principal, Actor(http, found, auth.Value), cancellationToken)
            ? TypedResults.NoContent()
            : PrincipalNotFound(principal);
    }

    private static async Task<Results<Ok<AclListDto>, ProblemHttpResult>> ListAclsAsync(
        string tenant, TenantDirectory tenants, AccessControlStore store, CancellationToken cancellationToken, string? principal = null, string? stream = null)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        var entries = await store.ListAclsAsync(found.Id, principal, cancellationToken);
        return TypedResults.Ok(new AclListDto([.. entries
            .Where(e => stream is null || AclRules.PatternMatches(e.StreamPattern, stream))
            .Select(AclEntryDto.From)]));
    }

    private static async Task<Results<Created<AclEntryDto>, ProblemHttpResult>> AddAclAsync(
        string tenant, AddAclBody body, HttpContext http, TenantDirectory tenants, AccessControlStore store, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        var problem = AclRules.PrincipalProblem(body.Principal, allowWildcard: true) ?? AclRules.PatternProblem(body.StreamPattern);
        if (problem is not null)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, problem);
        }

        var effect = body.Effect?.ToLowerInvariant() switch
        {
            "allow" => AclEffect.Allow,
            "deny" => AclEffect.Deny,
            _ => throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'effect' must be allow or deny; got '{body.Effect}'."),
        };
        var operation = body.Operation?.ToLowerInvariant() switch
        {
            "produce" => AclOperation.Produce,
            "consume" => AclOperation.Consume,
            "manage" => AclOperation.Manage,
            _ => throw new SluiceException(SluiceErrorCode.InvalidArgument, $"'operation' must be produce, consume or manage; got '{body.Operation}'."),
        };
        var entry = await store.AddAclAsync(found.Id, body.Principal!, effect, operation, body.StreamPattern!, Actor(http, found, auth.Value), cancellationToken);
        return TypedResults.Created($"/admin/v1/tenants/{Uri.EscapeDataString(tenant)}/acls/{entry.Id}", AclEntryDto.From(entry));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAclAsync(
        string tenant, Guid id, HttpContext http, TenantDirectory tenants, AccessControlStore store, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(tenants, tenant, cancellationToken) is not { } found)
        {
            return TenantNotFound(tenant);
        }

        return await store.RemoveAclAsync(found.Id, id, Actor(http, found, auth.Value), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "Not Found", statusCode: StatusCodes.Status404NotFound, detail: $"ACL entry {id} not found.");
    }

    private static async Task<Tenant?> FindTenantAsync(TenantDirectory tenants, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await tenants.FindByNameAsync(name, cancellationToken);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }
    }

    private static ProblemHttpResult TenantNotFound(string tenant) =>
        TypedResults.Problem(title: "Not Found", statusCode: StatusCodes.Status404NotFound, detail: TenantAdminPolicy.TenantNotFound(tenant));

    private static ProblemHttpResult PrincipalNotFound(string principal) =>
        TypedResults.Problem(title: "Not Found", statusCode: StatusCodes.Status404NotFound, detail: $"Principal '{principal}' not found.");

    /// <summary>The audit actor: the caller's own tenant is the tenant of the route when its token names it.</summary>
    private static AuditActor Actor(HttpContext http, Tenant tenant, AuthOptions auth) =>
        TenantAdminPolicy.Actor(http, string.Equals(http.User.FindFirstValue(auth.TenantClaim), tenant.Name, StringComparison.Ordinal) ? tenant.Id : null);

    private static List<string> ValidRoles(IReadOnlyList<string>? roles, AuthOptions auth)
    {
        if (roles is null)
        {
            return [];
        }

        if (roles.Count > MaxRoles)
        {
            throw new SluiceException(SluiceErrorCode.InvalidArgument, $"A principal has at most {MaxRoles} roles; got {roles.Count}.");
        }

        foreach (var role in roles)
        {
            if (string.IsNullOrEmpty(role) || role.Length > MaxRoleLength || !role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument, $"A role is 1 to {MaxRoleLength} of a-z, A-Z, 0-9, '-', '_', '.', ':'; got '{role}'.");
            }

            if (role == auth.PlatformAdminRole)
            {
                throw new SluiceException(SluiceErrorCode.InvalidArgument, $"The '{auth.PlatformAdminRole}' role is not granted to a tenant's principals.");
            }
        }

        return [.. roles.Distinct(StringComparer.Ordinal)];
    }

    private static string ValidDescription(string? description) =>
        description is { Length: > MaxDescriptionLength }
            ? throw new SluiceException(SluiceErrorCode.InvalidArgument, $"The description is {description.Length} characters long; at most {MaxDescriptionLength}.")
            : description ?? "";
}
