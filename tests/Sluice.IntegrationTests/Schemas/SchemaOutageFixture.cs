using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Schemas;

/// <summary>
/// One storage node and a gateway that reaches PostgreSQL through a proxy a test can cut, with stream routes cached for
/// minutes: a test can then take the registry away while a stream's route is still cached and see what a put does
/// when only the schemas are missing.
/// </summary>
public sealed class SchemaOutageFixture() : SluiceCluster(
    nodeCount: 1,
    proxyMetadata: true,
    gatewaySettings: new Dictionary<string, string> { ["Sluice__Gateway__RouteTtl"] = "00:05:00" });
