using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Log.Internal;

namespace Sluice.Log;

/// <summary>
/// The segmented, append-only log of one shard replica: group-committed appends from a single writer loop, crash
/// recovery of the tail on open, reads by offset and timestamp, and retention by age and size.
/// </summary>
/// <remarks>
/// Concurrency: appends are queued to one writer loop; rolling, retention and truncation take the same write lock,
/// so the segment list and the tail change in one place at a time. Readers take no lock: they work from an
/// immutable snapshot of the segment list and the published end offset, and pin the segments they read.
/// </remarks>
public sealed partial class PartitionLog : IAsyncDisposable
{
    private const int DisposedState = 1;

    /// <summary>Held exclusively while the log is open: a second writer on the same files would corrupt them.</summary>
    private const string LockFileName = ".lock";

    private readonly LogOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<AppendRequest> _queue;
    private readonly AppendRequestPool _requestPool;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Shared by the logs of one LogStore (one file system): their fsyncs become one syncfs per round.
    private FileSystemSync? _sync;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _disposeLock = new();
    private readonly Task _writerTask;
    private readonly Task _flushTask;

    private Segment[] _segments;          // oldest first; the last is the active one; replaced, never mutated
    private long _logStartOffset;
    private long _logEndOffset;

    // One past the last batch written, durable or not (≥ _logEndOffset): how far a follower may fetch.
    private long _writtenEndOffset;
    private long _lastTimestamp;          // newest visible batch, Segment.NoTimestamp if none
    private long _timestampFloor;         // writer only: never decreases, keeps the time index monotonic
    private long _sizeInBytes;
    private long _truncations;            // odd while a truncation or reset is under way; readers retry when it moves
    private readonly LeaderEpochCache _epochCache;
    private int _writerEpoch;             // writer only: latest epoch including groups written but not yet published
    private int _dirty;                   // Interval policy: written since the last fsync
    private volatile Exception? _fault;
    private TaskCompletionSource? _dataSignal;
    private int _disposeState;
    private Task? _disposal;
    private SafeFileHandle? _directoryLock;

    private PartitionLog(
        string directory, LogOptions options, ILogger logger, TimeProvider time, Segment[] segments, LeaderEpochCache epochCache, long highWatermark)
    {
        Directory = directory;
        _options = options;
        _logger = logger;
        _time = time;
        _segments = segments;
        _epochCache = epochCache;
        _writerEpoch = epochCache.LatestEpoch;
        _highWatermark = highWatermark;
        _persistedHighWatermark = highWatermark;
        _highWatermarkPersistedAt = time.GetTimestamp();
        _logStartOffset = segments[0].BaseOffset;
        _logEndOffset = segments[^1].NextOffset;
        _writtenEndOffset = _logEndOffset;
        _lastTimestamp = NewestTimestamp(segments);
        _timestampFloor = _lastTimestamp;
        foreach (var segment in segments)
        {
            _sizeInBytes += segment.Size;
        }

        _requestPool = new AppendRequestPool(options.MaxPendingAppends);
        _queue = Channel.CreateBounded<AppendRequest>(new BoundedChannelOptions(options.MaxPendingAppends)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            // The first append into an idle log starts the writer on its own thread instead of waking another:
            // one thread hop fewer per commit, which on a busy node is most of what a commit costs.
            AllowSynchronousContinuations = true,
        });
        _writerTask = Task.Run(RunWriterAsync);
        _flushTask = options.FlushPolicy == FlushPolicy.Interval ? Task.Run(RunFlusherAsync) : Task.CompletedTask;
    }

    /// <summary>Full path of the log's directory.</summary>
    public string Directory { get; }

    /// <summary>The oldest offset still in the log.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The next offset to assign, which is also the end of what readers can see.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>
    /// One past the last batch written, durable or not: at least <see cref="LogEndOffset"/>, ahead of it while a group
    /// commit waits for its sync. Followers may fetch this far (<see cref="ReadBatchesAsync"/> with
    /// <c>includeUnsynced</c>), so that their write and sync overlap the leader's sync instead of following it; the
    /// high watermark still never passes <see cref="LogEndOffset"/>, so nothing is acknowledged before the leader has
    /// it durably too. A leader that dies before its sync may leave followers holding records it never had durably:
    /// they were never acknowledged, and the next leader keeps or drops them as Kafka's followers do.
    /// </summary>
    public long WrittenEndOffset => Volatile.Read(ref _writtenEndOffset);

    /// <summary>Called on the writer after each group is written to the file, before its sync: followers may fetch it now.</summary>
    public Action? Written { get; set; }

    /// <summary>Arrival time (unix ms) of the newest visible record, 0 if the log is empty.</summary>
    public long LastTimestampMs
    {
        get
        {
            var timestamp = Volatile.Read(ref _lastTimestamp);
            return LogStartOffset == LogEndOffset || timestamp == Segment.NoTimestamp ? 0 : timestamp;
        }
    }

    /// <summary>Bytes of segment files (indexes not counted).</summary>
    public long SizeInBytes => Interlocked.Read(ref _sizeInBytes);

    /// <summary>Number of segment files.</summary>
    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>, recovering the tail segment: it is cut at the
    /// first torn or corrupt batch so that no partial batch is ever visible, and appends continue from there.
    /// </summary>
    public static PartitionLog Open(string directory, LogOptions options, ILogger? logger = null, TimeProvider? timeProvider = null) =>
        Open(directory, options, logger, timeProvider, sync: null);

    /// <summary>Opens a log whose durable writes go through <paramref name="sync"/>, shared with the other logs of its file system.</summary>
    internal static PartitionLog Open(string directory, LogOptions options, ILogger? logger, TimeProvider? timeProvider, FileSystemSync? sync)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;

        var started = timeProvider.GetTimestamp();
        var fullPath = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(fullPath);
        var directoryLock = AcquireDirectoryLock(fullPath);
        PartitionLog log;
        try
        {
            var segments = OpenSegments(fullPath, options, logger);
            try
            {
                var epochCache = LoadEpochCache(fullPath, segments, logger);
                var highWatermark = LoadHighWatermark(fullPath, segments[0].BaseOffset, segments[^1].NextOffset, logger);
                log = new PartitionLog(fullPath, options, logger, timeProvider, segments, epochCache, highWatermark)
                {
                    _directoryLock = directoryLock,
                    _sync = sync,
                };
            }
            catch
            {
                foreach (var segment in segments)
                {
                    segment.Release();
                }

                throw;
            }
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }

        var elapsedMs = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
        logger.LogOpened(fullPath, log.SegmentCount, log.LogStartOffset, log.LogEndOffset, elapsedMs);
        return log;
    }

    /// <summary>Drains queued appends, fsyncs, and closes the files. Reads still running finish on their pinned segments.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_disposeLock)
        {
            _disposal ??= DisposeCoreAsync();
            return new ValueTask(_disposal);
        }
    }

    private async Task DisposeCoreAsync()
    {
        Volatile.Write(ref _disposeState, DisposedState);
        _queue.Writer.TryComplete();
        await _writerTask.ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _flushTask.ConfigureAwait(false);

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var segments = _segments;
            if (_fault is null && segments.Length > 0)
            {
                try
                {
                    segments[^1].Flush();
                }
                catch (IOException ex)
                {
                    _logger.LogFaulted(ex, Directory);
                }
            }

            Volatile.Write(ref _segments, []);
            foreach (var segment in segments)
            {
                segment.Release();
            }

            await CloseHighWatermarkAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        WakeWaiters();
        WakeHighWatermarkWaiters();
        _shutdown.Dispose();
        _directoryLock?.Dispose();
    }

    private static SafeFileHandle AcquireDirectoryLock(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            // FileShare.None is an exclusive flock on Unix, a sharing violation on Windows: either way one process,
            // and one PartitionLog within it, owns the directory.
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The log at {directory} is already open (its {LockFileName} file is locked).", ex);
        }
    }

    private bool IsDisposed => Volatile.Read(ref _disposeState) == DisposedState;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    private IOException FaultedException(Exception fault) =>
        new($"The log at {Directory} failed a write or fsync and accepts no changes until it is reopened.", fault);

    private void SetFault(Exception exception)
    {
        if (_fault is null)
        {
            _fault = exception;
            // What was written but never made durable may be gone from the page cache after a failed sync: not fetched.
            Volatile.Write(ref _writtenEndOffset, LogEndOffset);
            _logger.LogFaulted(exception, Directory);
        }
    }

    private static Segment[] OpenSegments(string directory, LogOptions options, ILogger logger)
    {
        var baseOffsets = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + Segment.LogExtension))
        {
            if (Segment.TryParseLogFileName(Path.GetFileName(path), out var baseOffset))
            {
                baseOffsets.Add(baseOffset);
            }
        }

        baseOffsets.Sort();
        RemoveOrphanIndexes(directory, baseOffsets, logger);
        if (baseOffsets.Count == 0)
        {
            var first = Segment.Create(directory, 0, options, logger);
            DirectorySync.Flush(directory, logger);
            return [first];
        }

        var segments = new Segment[baseOffsets.Count];
        var opened = 0;
        try
        {
            for (; opened < segments.Length - 1; opened++)
            {
                segments[opened] = Segment.OpenSealed(directory, baseOffsets[opened], baseOffsets[opened + 1], options, logger);
            }

            segments[opened] = Segment.OpenActive(directory, baseOffsets[opened], options, logger);
            return segments;
        }
        catch
        {
            for (var i = 0; i < opened; i++)
            {
                segments[i].Release();
            }

            throw;
        }
    }

    private static void RemoveOrphanIndexes(string directory, List<long> baseOffsets, ILogger logger)
    {
        // Left behind when a crash interrupted a segment deletion: renamed files, and indexes whose log went first.
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            var orphan = name.EndsWith(Segment.DeletedSuffix, StringComparison.Ordinal)
                || (dot > 0
                    && (name.EndsWith(Segment.IndexExtension, StringComparison.Ordinal) || name.EndsWith(Segment.TimeIndexExtension, StringComparison.Ordinal))
                    && Segment.TryParseLogFileName(name[..dot] + Segment.LogExtension, out var baseOffset)
                    && baseOffsets.BinarySearch(baseOffset) < 0);
            if (!orphan)
            {
                continue;
            }

            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.DeleteFailed(ex, path);
            }
        }
    }

    private static long NewestTimestamp(Segment[] segments)
    {
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i].MaxTimestamp != Segment.NoTimestamp)
            {
                return segments[i].MaxTimestamp;
            }
        }

        return Segment.NoTimestamp;
    }

    /// <summary>Index of the segment holding <paramref name="offset"/> (the last one based at or below it), or -1.</summary>
    private static int FindSegment(Segment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
