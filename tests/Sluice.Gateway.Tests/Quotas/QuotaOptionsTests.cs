using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sluice.Gateway.Quotas;

namespace Sluice.Gateway.Tests.Quotas;

public sealed class QuotaOptionsTests
{
    [Fact]
    public void Defaults_are_Kinesis_shard_limits()
    {
        var options = Resolve(new() { ["ConnectionStrings:Redis"] = "127.0.0.1:6379" });
        Assert.True(options.Enabled);
        Assert.Equal(1024 * 1024, options.ShardIngressBytesPerSecond);
        Assert.Equal(1000, options.ShardIngressRecordsPerSecond);
        Assert.Equal(2 * 1024 * 1024, options.ShardEgressBytesPerSecond);
        Assert.Equal(5, options.ShardReadCallsPerSecond);
        Assert.Equal(1, options.GatewayCount);
    }

    [Theory]
    [InlineData("Sluice:Quotas:ShardIngressBytesPerSecond", "0", "ShardIngressBytesPerSecond")]
    [InlineData("Sluice:Quotas:ShardReadCallsPerSecond", "-5", "ShardReadCallsPerSecond")]
    [InlineData("Sluice:Quotas:TenantEgressBytesPerSecond", "0", "TenantEgressBytesPerSecond")]
    [InlineData("Sluice:Quotas:GatewayCount", "0", "GatewayCount")]
    [InlineData("Sluice:Quotas:BurstSeconds", "0", "BurstSeconds")]
    [InlineData("Sluice:Quotas:KeyPrefix", "", "KeyPrefix")]
    [InlineData("Sluice:Quotas:RedisTimeout", "00:00:00", "durations")]
    [InlineData("Sluice:Quotas:UsageFlushInterval", "00:10:00", "durations")]
    [InlineData("Sluice:Quotas:IdleExpiry", "00:00:02", "IdleExpiry")]
    public void Bad_settings_fail_validation_naming_the_setting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "127.0.0.1:6379", ["Sluice:Quotas:BurstSeconds"] = "5", [key] = value };
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotas_need_a_Redis_unless_they_are_off()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve([]));
        Assert.Contains("ConnectionStrings:Redis", error.Message, StringComparison.Ordinal);
        Assert.False(Resolve(new() { ["Sluice:Quotas:Enabled"] = "false" }).Enabled);
    }

    private static QuotaOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddSluiceQuotas(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<QuotaOptions>>().Value;
    }
}
