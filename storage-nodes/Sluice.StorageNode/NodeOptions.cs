using System.ComponentModel.DataAnnotations;

namespace Sluice.StorageNode;

/// <summary>Identity, addresses and timings of a storage node, bound from <c>Sluice:Node</c>.</summary>
public sealed record NodeOptions
{
    public const string Section = "Sluice:Node";

    /// <summary>Stable id of this node, e.g. <c>node-1</c>.</summary>
    [Required, RegularExpression("^[a-zA-Z0-9_.-]{1,64}$")]
    public string Id { get; init; } = "";

    /// <summary>Folder holding this node's shard replicas.</summary>
    [Required]
    public string DataDir { get; init; } = "";

    /// <summary>Port of the internal gRPC listener (HTTP/2: cleartext, or TLS with <see cref="TlsCertificatePath"/>).</summary>
    [Range(1, 65535)]
    public int GrpcPort { get; init; } = 9101;

    /// <summary>Port of the HTTP/1.1 listener for /healthz and /readyz.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; init; } = 9201;

    /// <summary>Interface to listen on.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>
    /// The gRPC address gateways and peers reach this node at; defaults to http://{ListenAddress}:{GrpcPort}, or
    /// https:// when the listener serves TLS. Registered in PostgreSQL, so its scheme tells clients how to dial.
    /// </summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>
    /// PEM certificate (chain) of the gRPC listener: set, with <see cref="TlsKeyPath"/>, and the listener serves TLS
    /// only (HTTP/2 by ALPN). Clients check it against <c>Sluice:InternalTls:CaCertificatePath</c>. The health port
    /// stays plain HTTP for probes.
    /// </summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>True when the gRPC listener serves TLS.</summary>
    public bool UsesTls => !string.IsNullOrEmpty(TlsCertificatePath);

    /// <summary>Rack or zone, for replica placement.</summary>
    public string? Rack { get; init; }

    /// <summary>How often the node renews its lease in PostgreSQL.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a cached shard assignment is trusted before it is re-read.</summary>
    public TimeSpan AssignmentTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often retention runs and replicas no longer assigned here are removed.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the node waits for PostgreSQL at start-up.</summary>
    public TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Thread-pool threads kept ready. Log writers write synchronously on pool threads, and with
    /// SyncMode=File also fsync there (one per shard with a commit in flight): raise this with that
    /// mode, so that fsyncs of different files overlap without waiting for thread injection.
    /// </summary>
    [Range(2, 4096)]
    public int MinThreads { get; init; } = 8;

    public string ResolveAdvertisedAddress() =>
        string.IsNullOrEmpty(AdvertisedAddress) ? $"{(UsesTls ? "https" : "http")}://{ListenAddress}:{GrpcPort}" : AdvertisedAddress;
}
