namespace Sluice.IntegrationTests.Faults.Replication;

/// <summary>
/// What a fault test observed, for <see cref="HistoryChecker"/>: the producer's acknowledgements,
/// the values whose put failed or timed out (written or not: unknown), the consumer's full read of
/// every shard, and each replica's log below the high watermark.
/// </summary>
public sealed record History
{
    /// <summary>Acknowledged records, in the order their acknowledgements arrived (per shard, that is ack order).</summary>
    public IReadOnlyList<AckedRecord> Acks { get; init; } = [];

    /// <summary>Values sent without an acknowledgement: each may be in the log at most once.</summary>
    public IReadOnlyCollection<string> Unknown { get; init; } = [];

    /// <summary>Every shard read from TRIM_HORIZON to its end, in read order.</summary>
    public IReadOnlyList<ReadRecord> Reads { get; init; } = [];

    /// <summary>Each replica's records as found on its disk after the run.</summary>
    public IReadOnlyList<ReplicaLog> Replicas { get; init; } = [];

    /// <summary>The high watermark of each shard (by shard id) below which its replicas must be identical.</summary>
    public IReadOnlyDictionary<string, long> HighWatermarks { get; init; } = new Dictionary<string, long>();

    /// <summary>High watermarks sampled during the run, in sample order.</summary>
    public IReadOnlyList<HighWatermarkSample> HighWatermarkSamples { get; init; } = [];
}
