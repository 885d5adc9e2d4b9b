using Sluice.Gateway.Auth;
using Sluice.Metadata;

namespace Sluice.Gateway.Admin;

/// <summary>Registers what the <c>/admin/v1</c> endpoints need, and the invalidation that makes their changes prompt on every gateway.</summary>
internal static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddSingleton<AdminContext>();
        services.AddSingleton<TenantAdministration>();
        services.AddSingleton<ClusterOverviewReader>();
        services.AddAccessChangeListener();
        services.AddHostedService<AccessCacheInvalidator>();
        return services;
    }
}
