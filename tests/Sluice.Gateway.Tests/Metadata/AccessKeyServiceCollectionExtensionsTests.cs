using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Metadata;

namespace Sluice.Metadata.Tests;

/// <summary>The access key services resolve from DI, and a host without a usable master key does not start.</summary>
public sealed class AccessKeyServiceCollectionExtensionsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Database=unused;Username=sluice";

    [Fact]
    public void Store_resolves_with_the_configured_options()
    {
        var options = new AccessKeyStoreOptions { CacheTtl = TimeSpan.FromSeconds(5) };
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSluiceMetadata(ConnectionString)
            .AddSluiceAccessKeys(new SecretProtectionOptions { MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, options)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(services.GetRequiredService<AccessKeyStore>());
        Assert.Same(options, services.GetRequiredService<AccessKeyStoreOptions>());
        Assert.Equal(1, services.GetRequiredService<SecretProtector>().CurrentKeyVersion);
    }

    [Fact]
    public void Missing_master_key_fails_at_registration()
    {
        var services = new ServiceCollection().AddSluiceMetadata(ConnectionString);

        Assert.ThrowsAny<ArgumentException>(() => services.AddSluiceAccessKeys(new SecretProtectionOptions()));
    }
}
