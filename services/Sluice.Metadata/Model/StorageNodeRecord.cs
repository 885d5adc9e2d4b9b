namespace Sluice.Metadata.Model;

/// <summary>A storage node as registered in the metadata store, with its heartbeat lease.</summary>
public sealed class StorageNodeRecord
{
    public required string Id { get; set; }

    /// <summary>Internal gRPC address gateways and peers use, e.g. http://127.0.0.1:9101.</summary>
    public required string Address { get; set; }

    public string? Rack { get; set; }

    /// <summary>Incremented on every start of the node, so a restarted node is told apart from its past self.</summary>
    public long NodeEpoch { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset HeartbeatAt { get; set; }
}
