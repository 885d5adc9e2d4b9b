using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Metadata;

/// <summary>Registers the <see cref="SchemaChangeListener"/>.</summary>
public static class SchemaChangeListenerServiceCollectionExtensions
{
    /// <summary>Adds <see cref="SchemaChangeListener"/> as a singleton that also runs as a hosted service; needs <see cref="MetadataServiceCollectionExtensions.AddSluiceMetadata"/>.</summary>
    public static IServiceCollection AddSchemaChangeListener(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SchemaChangeListener)))
        {
            return services;
        }

        services.AddSingleton<SchemaChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SchemaChangeListener>());
        return services;
    }
}
