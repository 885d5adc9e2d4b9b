using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sluice.Metadata;

namespace Sluice.Controller;

/// <summary>Registers the controller.</summary>
public static class ControllerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ControllerOptions"/> (from <c>Sluice:Controller</c>, validated on start),
    /// <see cref="ControllerStatus"/>, <see cref="ClusterRebalancer"/> and <see cref="ControllerService"/> as a hosted service, which
    /// stays idle when <see cref="ControllerOptions.Enabled"/> is false. Needs
    /// <see cref="MetadataServiceCollectionExtensions.AddSluiceMetadata"/>.
    /// </summary>
    public static IServiceCollection AddSluiceController(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ControllerOptions>()
            .Bind(configuration.GetSection(ControllerOptions.Section))
            .Validate(o => o.Problem() is null, "Sluice:Controller is invalid: TickInterval, LockRetryInterval and NodeLease must be positive, NodeLease at least two ticks, Id at most 40 printable characters.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ControllerStatus>();
        services.TryAddSingleton<ClusterRebalancer>();
        if (!services.Any(d => d.ServiceType == typeof(ControllerService)))
        {
            services.AddSingleton<ControllerService>();
            services.AddHostedService(sp => sp.GetRequiredService<ControllerService>());
        }

        return services;
    }
}
