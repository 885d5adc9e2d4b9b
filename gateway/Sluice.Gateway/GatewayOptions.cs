using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway;

/// <summary>Listeners and timings of the gateway, bound from <c>Sluice:Gateway</c>.</summary>
public sealed record GatewayOptions
{
    public const string Section = "Sluice:Gateway";

    /// <summary>HTTP/1.1 port: REST /v1, /swagger, /healthz, /readyz.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; init; } = 8080;

    /// <summary>HTTP/2 cleartext port: gRPC sluice.v1.</summary>
    [Range(1, 65535)]
    public int GrpcPort { get; init; } = 8081;

    /// <summary>Interface to listen on.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>The most shards one stream may have.</summary>
    [Range(1, 100_000)]
    public int MaxShardsPerStream { get; init; } = 64;

    /// <summary>How long stream routes and tenants are cached before they are re-read from PostgreSQL.</summary>
    public TimeSpan RouteTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one call to a storage node (a long-poll read adds its wait).</summary>
    public TimeSpan StorageCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A storage node whose heartbeat is older than this is considered down.</summary>
    public TimeSpan NodeLease { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the gateway waits for PostgreSQL at start-up.</summary>
    public TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(60);
}
