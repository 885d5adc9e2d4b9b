using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Auth;

/// <summary>
/// The authorization policy of the per-tenant admin endpoints (<c>/admin/v1/tenants/{tenant}/…</c>): a platform admin,
/// or a tenant admin whose token names the tenant in the route (by name). No token is 401; any other caller gets the 404
/// a missing tenant gets (<see cref="TenantAdminResultHandler"/>), so other tenants' names are not revealed.
/// </summary>
public static class TenantAdminPolicy
{
    public const string Name = "sluice-tenant-admin";

    /// <summary>The route value that names the tenant.</summary>
    public const string RouteValue = "tenant";

    public static void Add(AuthorizationOptions authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        authorization.AddPolicy(Name, policy => policy.RequireAuthenticatedUser().AddRequirements(new Requirement()));
    }

    /// <summary>True when <paramref name="user"/> may administer <paramref name="tenant"/>.</summary>
    public static bool Allows(ClaimsPrincipal user, string? tenant, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(auth);
        if (user.HasClaim(auth.RoleClaim, auth.PlatformAdminRole))
        {
            return true;
        }

        return !string.IsNullOrEmpty(tenant)
            && user.HasClaim(auth.RoleClaim, auth.TenantAdminRole)
            && string.Equals(user.FindFirstValue(auth.TenantClaim), tenant, StringComparison.Ordinal);
    }

    /// <summary>The actor an admin change is audited under: the token's subject, its tenant (looked up by the caller) and the remote address.</summary>
    public static AuditActor Actor(HttpContext context, Guid? actorTenantId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var subject = context.User.FindFirstValue("sub") ?? context.User.Identity?.Name ?? "unknown";
        return new AuditActor(subject, actorTenantId, context.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>The 404 every per-tenant admin endpoint gives for a tenant that does not exist (or that the caller may not see).</summary>
    public static Task WriteTenantNotFoundAsync(HttpContext context, string? tenant)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return context.Response.WriteAsJsonAsync(
            new { type = "about:blank", title = "Not Found", status = 404, detail = TenantNotFound(tenant) },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }

    /// <summary>The detail of <see cref="WriteTenantNotFoundAsync"/>, for endpoints that answer a missing tenant themselves.</summary>
    public static string TenantNotFound(string? tenant) => $"Tenant '{tenant}' not found.";

    internal sealed class Requirement : IAuthorizationRequirement;

    internal sealed class Handler(IOptions<AuthOptions> auth, IHttpContextAccessor accessor) : AuthorizationHandler<Requirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
        {
            var http = context.Resource as HttpContext ?? accessor.HttpContext;
            var tenant = http?.GetRouteValue(RouteValue) as string;
            if (Allows(context.User, tenant, auth.Value))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// Answers a caller that is authenticated but not allowed by <see cref="TenantAdminPolicy"/> exactly as a missing tenant
/// is answered (404, the same problem body), so a tenant admin cannot learn which other tenants exist.
/// Every other authorization result is handled as usual.
/// </summary>
public sealed class TenantAdminResultHandler : Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler
{
    private readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy,
        Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && policy.Requirements.OfType<TenantAdminPolicy.Requirement>().Any())
        {
            await TenantAdminPolicy.WriteTenantNotFoundAsync(context, context.GetRouteValue(TenantAdminPolicy.RouteValue) as string);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
