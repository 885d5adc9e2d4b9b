using System.ComponentModel.DataAnnotations;

namespace Sluice.Gateway;

/// <summary>Listeners and timings of the gateway, bound from <c>Sluice:Gateway</c>.</summary>
public sealed record GatewayOptions
{
    public const string Section = "Sluice:Gateway";

    /// <summary>HTTP/1.1 port (cleartext unless <see cref="TlsOnAllListeners"/>): REST /v1, /swagger, /healthz, /readyz.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; init; } = 8080;

    /// <summary>HTTP/2 port (cleartext unless <see cref="TlsOnAllListeners"/>): gRPC sluice.v1.</summary>
    [Range(1, 65535)]
    public int GrpcPort { get; init; } = 8081;

    /// <summary>
    /// TLS port (0: none) serving everything the other two do, HTTP/1.1 and HTTP/2 chosen by ALPN:
    /// what AWS SDKs that insist on HTTPS or HTTP/2 over TLS connect to. Needs
    /// <see cref="TlsCertificatePath"/> and <see cref="TlsKeyPath"/>.
    /// </summary>
    [Range(0, 65535)]
    public int HttpsPort { get; init; }

    /// <summary>PEM certificate (chain) of the TLS port (and, with <see cref="TlsOnAllListeners"/>, of every port).</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key of the TLS port's certificate.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>
    /// Serve TLS on every listener with <see cref="TlsCertificatePath"/>: the HTTP/1.1 port (REST, Kinesis, admin,
    /// health) and the HTTP/2 port (gRPC, Kinesis over HTTP/2) take TLS only, with the same protocols as in plain;
    /// <see cref="HttpsPort"/> stays as it is. Off by default, so the dev cluster keeps its plain loopback ports.
    /// </summary>
    public bool TlsOnAllListeners { get; init; }

    /// <summary>Interface to listen on.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>The most shards one stream may have.</summary>
    [Range(1, 100_000)]
    public int MaxShardsPerStream { get; init; } = 64;

    /// <summary>How long stream routes and tenants are cached before they are re-read from PostgreSQL.</summary>
    public TimeSpan RouteTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a route past <see cref="RouteTtl"/> is still used while PostgreSQL cannot be reached to refresh it
    /// (records keep flowing through a metadata outage up to this long).
    /// </summary>
    public TimeSpan StaleRouteLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the route of a stream that is CREATING or DELETING is cached: short, so that a stream
    /// another gateway made ACTIVE takes records here soon after.
    /// </summary>
    public TimeSpan PendingRouteTtl { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long the schemas of a subject that a stream is bound to are cached before they are read again: a fallback
    /// only, since every registry change is announced and drops them at once.
    /// </summary>
    public TimeSpan SchemaCacheTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline of one call to a storage node (a long-poll read adds its wait).</summary>
    public TimeSpan StorageCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A storage node whose heartbeat is older than this is considered down.</summary>
    public TimeSpan NodeLease { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the gateway waits for PostgreSQL at start-up.</summary>
    public TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(60);
}
