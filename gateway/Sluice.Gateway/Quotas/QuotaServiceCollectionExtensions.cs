using Microsoft.Extensions.Options;
using Sluice.Gateway.Observability;
using Sluice.Gateway.Quotas.Internal;

namespace Sluice.Gateway.Quotas;

/// <summary>Registers the quotas (<c>Sluice:Quotas</c>, Redis from <c>ConnectionStrings:Redis</c>), usage metering and the gateway's metrics.</summary>
public static class QuotaServiceCollectionExtensions
{
    public static IServiceCollection AddSluiceQuotas(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.HasValidDurations(),
                "Sluice:Quotas durations are out of range: IdleExpiry 1 s..1 day, RedisTimeout 10 ms..30 s, ProbeInterval 50 ms..5 min, "
                + "LimitsRefreshInterval 100 ms..10 min, UsageFlushInterval 100 ms..1 min.")
            .Validate(o => o.IdleExpiryCoversBurst(), "Sluice:Quotas:IdleExpiry must be at least BurstSeconds.")
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")),
                "Sluice:Quotas:Enabled needs ConnectionStrings:Redis (host:port of the Redis that keeps the token buckets); set Sluice:Quotas:Enabled=false to run without quotas.")
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<QuotaLimitsCache>();
        services.AddSingleton<RedisBucketStore>();
        services.AddSingleton<LocalBucketStore>();
        services.AddSingleton<UsageMeter>();
        services.AddSingleton<UsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlusher>());
        services.AddHostedService<RedisStarter>();
        services.AddSingleton(sp => new QuotaLimiter(
            sp.GetRequiredService<IOptions<QuotaOptions>>(),
            sp.GetRequiredService<QuotaLimitsCache>(),
            sp.GetRequiredService<RedisBucketStore>(),
            sp.GetRequiredService<LocalBucketStore>(),
            sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<UsageMeter>(),
            sp.GetRequiredService<IHttpContextAccessor>()));
        return services;
    }

    /// <summary>Starts connecting to Redis in the background when quotas are on; start-up never waits for it.</summary>
    private sealed class RedisStarter(RedisBucketStore redis, IOptions<QuotaOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.Enabled)
            {
                redis.Start();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
