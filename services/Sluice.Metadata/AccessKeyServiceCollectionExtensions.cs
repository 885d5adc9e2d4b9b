using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Sluice.Metadata;

/// <summary>Registers the encrypted access key store (after <see cref="MetadataServiceCollectionExtensions.AddSluiceMetadata"/>).</summary>
public static class AccessKeyServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SecretProtector"/> and <see cref="AccessKeyStore"/>. Throws at once when the
    /// master key is missing or malformed, so a host cannot start unable to read its keys.
    /// </summary>
    public static IServiceCollection AddSluiceAccessKeys(this IServiceCollection services, SecretProtectionOptions protection, AccessKeyStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(protection);
        var protector = new SecretProtector(protection);
        options ??= AccessKeyStoreOptions.Default;
        options.Validate();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(protector);
        services.AddSingleton(options);
        services.AddSingleton<AccessKeyStore>();
        return services;
    }
}
