using Sluice.Gateway.Kinesis.Auth;
using Sluice.Gateway.Kinesis.Consumers;
using Sluice.Metadata;

namespace Sluice.Gateway.Kinesis;

/// <summary>Registers the Kinesis-compatible API.</summary>
internal static class KinesisServiceCollectionExtensions
{
    public static IServiceCollection AddKinesisApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KinesisOptions>().BindConfiguration(KinesisOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var sigV4 = configuration.GetSection(SigV4Options.Section).Get<SigV4Options>() ?? SigV4Options.Default;
        services.AddSingleton(provider =>
        {
            var keys = provider.GetRequiredService<AccessKeyStore>();
            return new SigV4Verifier(sigV4, async (accessKeyId, cancellationToken) =>
                await keys.FindActiveAsync(accessKeyId, cancellationToken) is { } found
                    ? new SigV4Key(found.AccessKeyId, found.Tenant.Id, found.SecretAccessKey)
                    : null);
        });
        services.AddSingleton(provider => new ShardIterators(
            provider.GetRequiredService<SecretProtectionOptions>(),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<KinesisOptions>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<KinesisStreamOperations>();
        services.AddSingleton<KinesisRecordOperations>();
        services.AddKinesisConsumers();
        services.AddSingleton<KinesisReshardOperations>();
        return services;
    }
}
