using Sluice.Log.Internal;

namespace Sluice.Log;

/// <summary>Settings of one partition log. Bind from configuration and call <see cref="Validate"/> on start.</summary>
public sealed record LogOptions
{
    /// <summary>Settings with every default.</summary>
    public static LogOptions Default { get; } = new();

    /// <summary>
    /// A new segment is started when the active one would grow past this. Retention deletes whole segments, so this
    /// is also its granularity. At most <see cref="int.MaxValue"/>, since index positions are 32-bit.
    /// </summary>
    public long SegmentBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Bytes of log between two sparse offset index entries: the most a read scans past the index.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>When appends are fsynced.</summary>
    public FlushPolicy FlushPolicy { get; init; } = FlushPolicy.EveryAppend;

    /// <summary>fsync period under <see cref="FlushPolicy.Interval"/>.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How logs opened through a <see cref="LogStore"/> make appends durable under <see cref="FlushPolicy.EveryAppend"/>:
    /// one shared syncfs per round for all of the store's logs (the default), or an fsync per log.
    /// </summary>
    public SyncMode SyncMode { get; init; } = SyncMode.FileSystem;

    /// <summary>Segments whose newest record is older than this are deleted; null keeps records forever.</summary>
    public TimeSpan? RetentionTime { get; init; }

    /// <summary>Oldest segments are deleted while the log stays at least this large without them; null for no limit.</summary>
    public long? RetentionBytes { get; init; }

    /// <summary>Most records one append may carry.</summary>
    public int MaxRecordsPerBatch { get; init; } = 10_000;

    /// <summary>Most bytes one append may occupy on disk, batch header and record framing included.</summary>
    public int MaxBatchBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Appends queued for the writer before further callers wait for room: back-pressure so that producers faster
    /// than the disk cannot grow memory without bound.
    /// </summary>
    public int MaxPendingAppends { get; init; } = 4096;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (SegmentBytes <= BatchHeader.Size || SegmentBytes > int.MaxValue)
        {
            throw new ArgumentException(
                $"{nameof(SegmentBytes)} must be in ({BatchHeader.Size}, {int.MaxValue}] but is {SegmentBytes}.", nameof(SegmentBytes));
        }

        if (IndexIntervalBytes <= 0)
        {
            throw new ArgumentException($"{nameof(IndexIntervalBytes)} must be positive but is {IndexIntervalBytes}.", nameof(IndexIntervalBytes));
        }

        if (!Enum.IsDefined(FlushPolicy))
        {
            throw new ArgumentException($"{nameof(FlushPolicy)} {FlushPolicy} is not a known policy.", nameof(FlushPolicy));
        }

        if (!Enum.IsDefined(SyncMode))
        {
            throw new ArgumentException($"{nameof(SyncMode)} {SyncMode} is not a known mode.", nameof(SyncMode));
        }

        if (FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(FlushInterval)} must be positive but is {FlushInterval}.", nameof(FlushInterval));
        }

        if (RetentionTime is { } time && time <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RetentionTime)} must be positive or null but is {time}.", nameof(RetentionTime));
        }

        if (RetentionBytes is { } bytes && bytes < 0)
        {
            throw new ArgumentException($"{nameof(RetentionBytes)} must be non-negative or null but is {bytes}.", nameof(RetentionBytes));
        }

        if (MaxRecordsPerBatch <= 0)
        {
            throw new ArgumentException($"{nameof(MaxRecordsPerBatch)} must be positive but is {MaxRecordsPerBatch}.", nameof(MaxRecordsPerBatch));
        }

        if (MaxBatchBytes < BatchHeader.Size + RecordHeader.Size || MaxBatchBytes > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{nameof(MaxBatchBytes)} must be in [{BatchHeader.Size + RecordHeader.Size}, {Array.MaxLength}] but is {MaxBatchBytes}.",
                nameof(MaxBatchBytes));
        }

        if (MaxPendingAppends <= 0)
        {
            throw new ArgumentException($"{nameof(MaxPendingAppends)} must be positive but is {MaxPendingAppends}.", nameof(MaxPendingAppends));
        }
    }
}
