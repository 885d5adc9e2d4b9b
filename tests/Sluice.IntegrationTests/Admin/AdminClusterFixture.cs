using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Admin;

/// <summary>
/// A one-node cluster for the admin API tests: its gateway caches tenants for a minute (so a suspension that takes
/// effect within seconds shows the change notification at work, not a cache running out), and both hosts log at Debug,
/// so the secrets-in-logs test scans everything they would ever write.
/// </summary>
public sealed class AdminClusterFixture() : SluiceCluster(nodeCount: 1, gatewaySettings: GatewaySettings, nodeSettings: DebugLogging)
{
    /// <summary>The gateway's RouteTtl (and so its tenant cache lifetime) in this cluster.</summary>
    public static readonly TimeSpan TenantCacheLifetime = TimeSpan.FromMinutes(1);

    private static readonly Dictionary<string, string> DebugLogging = new()
    {
        ["Logging__LogLevel__Default"] = "Debug",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug",
        ["Logging__LogLevel__Grpc"] = "Debug",
        ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Information",
    };

    private static readonly Dictionary<string, string> GatewaySettings = new(DebugLogging)
    {
        ["Sluice__Gateway__RouteTtl"] = TenantCacheLifetime.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class AdminClusterCollection : ICollectionFixture<AdminClusterFixture>
{
    public const string Name = "admin-cluster";
}
