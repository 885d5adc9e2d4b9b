using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Gateway.Auth;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Admin;

/// <summary>
/// What every <c>/admin/v1</c> endpoint needs of the request: the tenant its route names (missing, or hidden from the
/// caller, as 404) and the actor its changes are audited under.
/// </summary>
public sealed class AdminContext(TenantDirectory tenants, IOptions<AuthOptions> auth)
{
    /// <summary>The route's tenant; 404 when it does not exist, 401 to its own tenant admins while it is suspended.</summary>
    public async Task<Tenant> TenantAsync(HttpContext context, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tenant = await Guard(() => tenants.FindByNameAsync(name, cancellationToken))
            ?? throw new SluiceException(SluiceErrorCode.NotFound, TenantAdminPolicy.TenantNotFound(name));
        if (tenant.Status != TenantStatus.Active && !IsPlatformAdmin(context))
        {
            throw new SluiceException(SluiceErrorCode.Unauthenticated, $"Tenant '{name}' is suspended.");
        }

        return tenant;
    }

    /// <summary>True when the caller holds the platform-admin role.</summary>
    public bool IsPlatformAdmin(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.HasClaim(auth.Value.RoleClaim, auth.Value.PlatformAdminRole);
    }

    /// <summary>
    /// The actor of a change to <paramref name="tenant"/>: a platform admin acts from no tenant; a tenant admin
    /// (whom <see cref="TenantAdminPolicy"/> only lets act on its own tenant) from <paramref name="tenant"/>.
    /// </summary>
    public AuditActor Actor(HttpContext context, Tenant? tenant) =>
        TenantAdminPolicy.Actor(context, IsPlatformAdmin(context) ? null : tenant?.Id);

    /// <summary>Runs a metadata call, turning PostgreSQL being away into 503.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action();
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }
    }
}
