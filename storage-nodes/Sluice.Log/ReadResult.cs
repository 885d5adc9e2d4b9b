namespace Sluice.Log;

/// <summary>
/// The outcome of one read. The records' keys and values slice one heap buffer owned by this result (not pooled:
/// they are handed on to responses whose lifetime the log cannot see).
/// </summary>
public sealed class ReadResult
{
    internal ReadResult(IReadOnlyList<StoredRecord> records, long nextOffset, long logStartOffset, long logEndOffset, long lastTimestampMs)
    {
        Records = records;
        NextOffset = nextOffset;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
        LastTimestampMs = lastTimestampMs;
    }

    /// <summary>Whole records in offset order, possibly none.</summary>
    public IReadOnlyList<StoredRecord> Records { get; }

    /// <summary>The offset to read next.</summary>
    public long NextOffset { get; }

    /// <summary>The first offset still in the log when the read started.</summary>
    public long LogStartOffset { get; }

    /// <summary>The visible end of the log when the read started.</summary>
    public long LogEndOffset { get; }

    /// <summary>Arrival time (unix ms) of the newest visible record, 0 if the log is empty.</summary>
    public long LastTimestampMs { get; }

    /// <summary>Records behind the end of the log at the time of the read: the consumer's lag.</summary>
    public long Lag => LogEndOffset - NextOffset;
}
