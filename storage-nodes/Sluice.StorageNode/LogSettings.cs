using System.ComponentModel.DataAnnotations;
using Sluice.Log;

namespace Sluice.StorageNode;

/// <summary>Log-engine settings of a node, bound from <c>Sluice:Log</c>.</summary>
public sealed record LogSettings
{
    public const string Section = "Sluice:Log";

    /// <summary>EveryAppend (fsync before acknowledging, the default) or Interval.</summary>
    public FlushPolicy FlushPolicy { get; init; } = FlushPolicy.EveryAppend;

    /// <summary>FileSystem (one syncfs per round for all shards of the node, the default) or File (an fsync per shard).</summary>
    public SyncMode SyncMode { get; init; } = SyncMode.FileSystem;

    /// <summary>With the Interval policy, how often to fsync.</summary>
    [Range(1, 60_000)]
    public int FlushIntervalMs { get; init; } = 100;

    /// <summary>Segment roll size.</summary>
    [Range(1024 * 1024, 4L * 1024 * 1024 * 1024)]
    public long SegmentBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Optional cap on a replica's size; the oldest segments go first.</summary>
    public long? RetentionBytes { get; init; }

    public LogOptions ToLogOptions(int retentionHours) => LogOptions.Default with
    {
        FlushPolicy = FlushPolicy,
        SyncMode = SyncMode,
        FlushInterval = TimeSpan.FromMilliseconds(FlushIntervalMs),
        SegmentBytes = SegmentBytes,
        RetentionBytes = RetentionBytes,
        RetentionTime = TimeSpan.FromHours(retentionHours),
    };
}
