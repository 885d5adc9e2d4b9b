using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Metadata;
using Sluice.Metadata.Model;

namespace Sluice.Gateway.Auth;

/// <summary>Turns an authenticated principal into its tenant, cached briefly.</summary>
public sealed class TenantResolver(TenantDirectory tenants, IOptions<AuthOptions> auth, IOptions<GatewayOptions> gateway, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, (Tenant Tenant, DateTimeOffset FetchedAt)> _cache = new(StringComparer.Ordinal);

    // Bumped by every invalidation: a lookup that began before one does not cache what it read.
    private long _generation;

    public async ValueTask<Tenant> ResolveAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var name = user.FindFirstValue(auth.Value.TenantClaim);
        if (string.IsNullOrEmpty(name))
        {
            throw new SluiceException(SluiceErrorCode.Unauthenticated, $"The token has no '{auth.Value.TenantClaim}' claim naming a tenant.");
        }

        var now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(name, out var cached) && now - cached.FetchedAt < gateway.Value.RouteTtl)
        {
            return cached.Tenant;
        }

        var generation = Interlocked.Read(ref _generation);
        Tenant? tenant;
        try
        {
            tenant = await tenants.FindByNameAsync(name, cancellationToken);
        }
        catch (Exception ex) when (MetadataDatabase.IsTransient(ex))
        {
            // PostgreSQL away: no tenant can be suspended or removed without it, so the tenant last read stands, as
            // the routes do (GatewayOptions.StaleRouteLimit).
            if (cached.Tenant is not null && now - cached.FetchedAt < gateway.Value.StaleRouteLimit)
            {
                return cached.Tenant;
            }

            throw new SluiceException(SluiceErrorCode.Unavailable, "The metadata store is unavailable; retry later.", ex);
        }

        if (tenant is null)
        {
            throw new SluiceException(SluiceErrorCode.Unauthenticated, $"Tenant '{name}' does not exist.");
        }

        if (tenant.Status != TenantStatus.Active)
        {
            throw new SluiceException(SluiceErrorCode.Unauthenticated, $"Tenant '{name}' is suspended.");
        }

        if (generation == Interlocked.Read(ref _generation))
        {
            _cache[name] = (tenant, now);
        }

        return tenant;
    }

    /// <summary>Drops the cached tenant with this id (it was suspended, resumed or deleted), so the next request reads it again.</summary>
    public void Invalidate(Guid tenantId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (name, cached) in _cache)
        {
            if (cached.Tenant.Id == tenantId)
            {
                _cache.TryRemove(KeyValuePair.Create(name, cached));
            }
        }
    }

    /// <summary>Drops every cached tenant.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _cache.Clear();
    }
}
