using Microsoft.Extensions.Logging;

namespace Sluice.Log.Internal;

/// <summary>Source-generated log events of the log engine. Never logs record payloads.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Opened log {Directory}: {SegmentCount} segments, offsets [{LogStartOffset}, {LogEndOffset}) in {ElapsedMs} ms")]
    public static partial void LogOpened(
        this ILogger logger, string directory, int segmentCount, long logStartOffset, long logEndOffset, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Recovery cut {BytesCut} bytes from the tail of {SegmentPath} after {ValidBytes} good bytes: {Reason}")]
    public static partial void TruncatedTornTail(
        this ILogger logger, string segmentPath, long bytesCut, long validBytes, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Rebuilding the indexes of {SegmentPath}: {Reason}")]
    public static partial void RebuildingIndexes(this ILogger logger, string segmentPath, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "Sealed segment {SegmentPath} is unreadable past byte {ValidBytes}: {Reason}; reads beyond it will fail")]
    public static partial void SealedSegmentCorrupt(this ILogger logger, string segmentPath, long validBytes, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Rolled log {Directory} to a new segment at offset {BaseOffset}")]
    public static partial void SegmentRolled(this ILogger logger, string directory, long baseOffset);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Deleting segment {SegmentPath} ({Reason})")]
    public static partial void DeletingSegment(this ILogger logger, string segmentPath, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Could not delete {Path}")]
    public static partial void DeleteFailed(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information,
        Message = "Truncated log {Directory} from end offset {PreviousEndOffset} to {Offset}")]
    public static partial void LogTruncated(this ILogger logger, string directory, long offset, long previousEndOffset);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error,
        Message = "Write or fsync failed in log {Directory}; the log rejects appends until it is reopened")]
    public static partial void LogFaulted(this ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 10, Level = LogLevel.Trace,
        Message = "Group commit in {Directory}: {Appends} appends, {Bytes} bytes, end offset {LogEndOffset}")]
    public static partial void GroupCommitted(this ILogger logger, string directory, int appends, int bytes, long logEndOffset);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Directory fsync of {Directory} failed")]
    public static partial void DirectorySyncFailed(this ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Deleted log {Name} at {Directory}")]
    public static partial void LogDeleted(this ILogger logger, string name, string directory);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Rebuilding the leader epoch cache of {Directory} from batch headers: {Reason}")]
    public static partial void RebuildingEpochCache(this ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Could not persist the high watermark of {Directory}")]
    public static partial void HighWatermarkPersistFailed(this ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning,
        Message = "Reset log {Directory} to start empty at offset {StartOffset} (was [{PreviousStartOffset}, {PreviousEndOffset}))")]
    public static partial void LogReset(this ILogger logger, string directory, long startOffset, long previousStartOffset, long previousEndOffset);
}
