using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Sluice.Metadata;

namespace Sluice.Gateway.Auth;

/// <summary>
/// The authorization policy of the per-tenant admin endpoints (<c>/admin/v1/tenants/{tenant}/…</c>): a platform admin,
/// or a tenant admin whose token names the tenant in the route (by name). Anything else is 403; no token is 401.
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
