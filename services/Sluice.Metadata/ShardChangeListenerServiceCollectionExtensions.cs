using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Metadata;

/// <summary>Registers the <see cref="ShardChangeListener"/>.</summary>
public static class ShardChangeListenerServiceCollectionExtensions
{
    /// <summary>Adds <see cref="ShardChangeListener"/> as a singleton that also runs as a hosted service; needs <see cref="MetadataServiceCollectionExtensions.AddSluiceMetadata"/>.</summary>
    public static IServiceCollection AddShardChangeListener(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ShardChangeListener)))
        {
            return services;
        }

        services.AddSingleton<ShardChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<ShardChangeListener>());
        return services;
    }
}
