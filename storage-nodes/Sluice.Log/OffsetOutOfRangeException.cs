namespace Sluice.Log;

/// <summary>
/// A read or lookup asked for an offset outside [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>]:
/// typically a consumer whose position was deleted by retention (start again from <see cref="LogStartOffset"/>).
/// </summary>
public sealed class OffsetOutOfRangeException : Exception
{
    public OffsetOutOfRangeException()
    {
    }

    public OffsetOutOfRangeException(string message)
        : base(message)
    {
    }

    public OffsetOutOfRangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OffsetOutOfRangeException(long requestedOffset, long logStartOffset, long logEndOffset)
        : base($"Offset {requestedOffset} is outside the log's range [{logStartOffset}, {logEndOffset}].")
    {
        RequestedOffset = requestedOffset;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
    }

    /// <summary>The offset that was asked for.</summary>
    public long RequestedOffset { get; }

    /// <summary>The first offset in the log at the time.</summary>
    public long LogStartOffset { get; }

    /// <summary>The end of the log at the time.</summary>
    public long LogEndOffset { get; }
}
