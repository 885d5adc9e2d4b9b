using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Metadata;

/// <summary>Registers the <see cref="AccessChangeListener"/>.</summary>
public static class AccessChangeListenerServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AccessChangeListener"/> as a singleton that also runs as a hosted service; needs <see cref="MetadataServiceCollectionExtensions.AddSluiceMetadata"/>.</summary>
    public static IServiceCollection AddAccessChangeListener(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(AccessChangeListener)))
        {
            return services;
        }

        services.AddSingleton<AccessChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessChangeListener>());
        return services;
    }
}
