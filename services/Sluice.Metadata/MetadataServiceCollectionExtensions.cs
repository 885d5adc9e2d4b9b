using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Sluice.Metadata;

/// <summary>Registers the metadata store and the catalog services.</summary>
public static class MetadataServiceCollectionExtensions
{
    /// <summary>Adds a pooled <see cref="MetadataDbContext"/> factory, <see cref="StreamCatalog"/>, <see cref="PartitionStateStore"/>, <see cref="NodeRegistry"/>, <see cref="TenantDirectory"/>, <see cref="AccessControlStore"/> and <see cref="ProducerIdAllocator"/>.</summary>
    public static IServiceCollection AddSluiceMetadata(this IServiceCollection services, string connectionString, CatalogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        (options ?? CatalogOptions.Default).Validate();
        services.AddPooledDbContextFactory<MetadataDbContext>(builder => MetadataDbContext.Configure(builder, connectionString));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options ?? CatalogOptions.Default);
        services.AddSingleton<StreamCatalog>();
        services.AddSingleton<PartitionStateStore>();
        services.AddSingleton<ConsumerCatalog>();
        services.AddSingleton<NodeRegistry>();
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AccessControlStore>();
        services.AddSingleton<ProducerIdAllocator>();
        services.AddSingleton<SchemaRegistryStore>();
        services.AddSingleton<MetadataDatabase>();
        return services;
    }
}
