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

    /// <summary>Port of the internal gRPC listener (HTTP/2 cleartext).</summary>
    [Range(1, 65535)]
    public int GrpcPort { get; init; } = 9101;

    /// <summary>Port of the HTTP/1.1 listener for /healthz and /readyz.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; init; } = 9201;

    /// <summary>Interface to listen on.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>The gRPC address gateways and peers reach this node at; defaults to http://{ListenAddress}:{GrpcPort}.</summary>
    public string? AdvertisedAddress { get; init; }

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
        string.IsNullOrEmpty(AdvertisedAddress) ? $"http://{ListenAddress}:{GrpcPort}" : AdvertisedAddress;
}
