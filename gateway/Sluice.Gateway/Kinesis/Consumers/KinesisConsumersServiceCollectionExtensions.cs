using Sluice.Core;

namespace Sluice.Gateway.Kinesis.Consumers;

/// <summary>Registers Kinesis enhanced fan-out: the consumer operations, SubscribeToShard and their background work.</summary>
internal static class KinesisConsumersServiceCollectionExtensions
{
    public static IServiceCollection AddKinesisConsumers(this IServiceCollection services)
    {
        services.AddOptions<KinesisOptions>()
            .Validate(o => o.SubscriptionLifetime > TimeSpan.Zero, "Sluice:Kinesis:SubscriptionLifetime must be positive.")
            .Validate(o => o.SubscriptionHeartbeat > TimeSpan.Zero && o.SubscriptionHeartbeat <= TimeSpan.FromMilliseconds(Limits.MaxWaitMilliseconds),
                $"Sluice:Kinesis:SubscriptionHeartbeat must be positive and at most {Limits.MaxWaitMilliseconds} ms.")
            .Validate(o => o.SubscriptionTakeoverAfter >= TimeSpan.Zero, "Sluice:Kinesis:SubscriptionTakeoverAfter must not be negative.")
            .Validate(o => o.SubscriptionLeaseCheckInterval > TimeSpan.Zero, "Sluice:Kinesis:SubscriptionLeaseCheckInterval must be positive.")
            .Validate(o => o.ConsumerActivationDelay >= TimeSpan.Zero && o.ConsumerDeletionDelay >= TimeSpan.Zero,
                "Sluice:Kinesis:ConsumerActivationDelay and ConsumerDeletionDelay must not be negative.");
        services.AddSingleton<KinesisConsumerOperations>();
        services.AddSingleton<SubscribeToShardOperation>();
        services.AddSingleton<ConsumerLifecycle>();
        services.AddHostedService(provider => provider.GetRequiredService<ConsumerLifecycle>());
        services.AddSingleton<SubscriptionRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<SubscriptionRegistry>());
        return services;
    }
}
