using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Auth;

/// <summary>
/// Resolves the <see cref="Caller"/> of a request, the same way for every face. A bearer token is the principal <c>user:{sub}</c> with the
/// token's roles plus those of the tenant's principal of that name, if there is one (for the token's issuer); a disabled one is refused
/// like an invalid token. An access key is its service account <c>service:{name}</c> with that principal's roles, or, for a key of no
/// service account, the tenant's administrator.
/// </summary>
public sealed class CallerResolver(TenantResolver tenants, AccessControlCache accessControl, IOptions<AuthOptions> options)
{
    /// <summary>The principal name of a token's subject.</summary>
    public static string UserPrincipal(string subject) => $"user:{subject}";

    /// <summary>The caller a validated bearer token names; <see cref="SluiceErrorCode.Unauthenticated"/> when it names no usable one.</summary>
    public async ValueTask<Caller> ResolveAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var auth = options.Value;
        var tenant = await tenants.ResolveAsync(user, cancellationToken);
        var snapshot = await accessControl.GetAsync(tenant.Id, cancellationToken);
        var subject = user.FindFirstValue("sub");
        if (string.IsNullOrEmpty(subject))
        {
            throw new SluiceException(SluiceErrorCode.Unauthenticated, "The token has no 'sub' claim naming its subject.");
        }

        var name = UserPrincipal(subject);
        var roles = user.FindAll(auth.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (FindUser(snapshot, name, user.FindFirstValue("iss")) is { } principal)
        {
            if (principal.Disabled)
            {
                throw new SluiceException(SluiceErrorCode.Unauthenticated, $"The principal {name} is disabled.");
            }

            roles.UnionWith(GrantableRoles(principal.Roles, auth));
        }

        return new Caller(tenant, name, roles, IsTenantAdmin(roles, auth), snapshot);
    }

    /// <summary>The caller an access key acts as; null when its service account is gone or disabled (the key is then refused like an unknown one).</summary>
    public async ValueTask<Caller?> ResolveAsync(AccessKeyCredentials key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var auth = options.Value;
        var snapshot = await accessControl.GetAsync(key.Tenant.Id, cancellationToken);
        if (key.Principal is null)
        {
            return new Caller(key.Tenant, Caller.TenantKeyPrincipal, new HashSet<string>(StringComparer.Ordinal) { auth.TenantAdminRole }, isTenantAdmin: true, snapshot);
        }

        // The snapshot, not the key cache, decides: a principal disabled a moment ago is refused at once.
        var principal = snapshot.FindById(key.Principal.Id);
        if (principal is null || principal.Disabled || principal.Kind != PrincipalKind.ServiceAccount)
        {
            return null;
        }

        var roles = GrantableRoles(principal.Roles, auth).ToHashSet(StringComparer.Ordinal);
        return new Caller(key.Tenant, principal.Name, roles, IsTenantAdmin(roles, auth), snapshot);
    }

    /// <summary>The user principal a token of <paramref name="issuer"/> names in the snapshot, if any: one bound to another issuer does not count.</summary>
    public static Principal? FindUser(AccessControlSnapshot snapshot, string name, string? issuer)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var principal = snapshot.FindByName(name);
        return principal is { Kind: PrincipalKind.User } && (principal.Issuer is null || string.Equals(principal.Issuer, issuer, StringComparison.Ordinal))
            ? principal
            : null;
    }

    /// <summary>The roles a principal row may grant: never the platform admin role, which only an operator's token carries.</summary>
    public static IEnumerable<string> GrantableRoles(IEnumerable<string> roles, AuthOptions auth) =>
        roles.Where(r => !string.Equals(r, auth.PlatformAdminRole, StringComparison.Ordinal));

    private static bool IsTenantAdmin(IReadOnlySet<string> roles, AuthOptions auth) =>
        roles.Contains(auth.TenantAdminRole) || roles.Contains(auth.PlatformAdminRole);
}
