using Microsoft.AspNetCore.Authorization;

namespace Sluice.Gateway.Auth;

/// <summary>
/// The authorization policy of the <c>/admin</c> endpoints: an authenticated caller (else 401) whose token carries
/// <see cref="AuthOptions.RoleClaim"/> with the value <see cref="AuthOptions.PlatformAdminRole"/> (else 403).
/// </summary>
public static class AdminPolicy
{
    public const string Name = "sluice-admin";

    public static void Add(AuthorizationOptions authorization, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentNullException.ThrowIfNull(auth);
        authorization.AddPolicy(Name, policy => policy.RequireAuthenticatedUser().RequireClaim(auth.RoleClaim, auth.PlatformAdminRole));
    }
}
